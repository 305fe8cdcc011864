import { ServiceError } from 'wharf';

/** Codes callers of the users service can branch on. */
export const UserErrorCode = {
  notFound: 'USER_NOT_FOUND',
} as const;

export class UserNotFoundError extends ServiceError {
  constructor(id: number) {
    super({
      status: 404,
      code: UserErrorCode.notFound,
      message: `No user with id ${id}`,
      error: { id },
    });
  }
}
