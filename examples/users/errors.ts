import { ServiceError } from 'wharf';

/** Codes callers of the users service can branch on. */
export const UserErrorCode = {
  notFound: 'USER_NOT_FOUND',
  emailTaken: 'EMAIL_TAKEN',
  invalidCredentials: 'INVALID_CREDENTIALS',
  notYours: 'USER_NOT_YOURS',
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

export class EmailTakenError extends ServiceError {
  constructor() {
    super({
      status: 409,
      code: UserErrorCode.emailTaken,
      message: 'A user with this e-mail address is already registered',
    });
  }
}

/**
 * The one answer of a failed login, whether the address is unknown or the password wrong,
 * so a caller cannot learn which addresses are registered.
 */
export class InvalidCredentialsError extends ServiceError {
  constructor() {
    super({
      status: 401,
      code: UserErrorCode.invalidCredentials,
      message: 'Wrong e-mail address or password',
    });
  }
}

/** A token with `users:write` changes only its own user, unless it also has `users:admin`. */
export class NotYourUserError extends ServiceError {
  constructor(id: number) {
    super({
      status: 403,
      code: UserErrorCode.notYours,
      message: `Only user ${id} itself, or a token with the users:admin scope, may change it`,
      error: { id },
    });
  }
}
