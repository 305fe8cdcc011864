import { ServiceError } from 'wharf';

/** Codes callers of the cities service can branch on. */
export const CityErrorCode = {
  notFound: 'CITY_NOT_FOUND',
  limitReached: 'CITY_LIMIT_REACHED',
} as const;

export class CityNotFoundError extends ServiceError {
  constructor(id: number) {
    super({
      status: 404,
      code: CityErrorCode.notFound,
      message: `No city with id ${id}`,
      error: { id },
    });
  }
}

/** The in-memory store is bounded; a full store refuses instead of growing. */
export class CityLimitReachedError extends ServiceError {
  constructor(max: number) {
    super({
      status: 409,
      code: CityErrorCode.limitReached,
      message: `The service holds at most ${max} cities; no more can be created`,
      error: { max },
    });
  }
}
