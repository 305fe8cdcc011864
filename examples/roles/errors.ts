import { ServiceError } from 'wharf';

/** Codes callers of the roles service can branch on. */
export const RoleErrorCode = {
  notFound: 'ROLE_NOT_FOUND',
  nameTaken: 'ROLE_NAME_TAKEN',
  limitReached: 'ROLE_LIMIT_REACHED',
} as const;

export class RoleNotFoundError extends ServiceError {
  constructor(id: number) {
    super({
      status: 404,
      code: RoleErrorCode.notFound,
      message: `No role with id ${id}`,
      error: { id },
    });
  }
}

export class RoleNameTakenError extends ServiceError {
  constructor(name: string, existingId: number) {
    super({
      status: 409,
      code: RoleErrorCode.nameTaken,
      message: `A role named "${name}" already exists`,
      error: { name, id: existingId },
    });
  }
}

/** The in-memory store is bounded; a full store refuses instead of growing. */
export class RoleLimitReachedError extends ServiceError {
  constructor(max: number) {
    super({
      status: 409,
      code: RoleErrorCode.limitReached,
      message: `The service holds at most ${max} roles; no more can be created`,
      error: { max },
    });
  }
}
