import { randomUUID } from 'node:crypto';
import { DatabaseConflictError, group, route } from 'wharf';
import { hashPassword, verifyPassword } from 'wharf/auth';
import type { Database } from 'wharf/db';
import {
  AUTH_RATE_LIMIT,
  IssuedToken,
  Login,
  Registration,
  TOKEN_TTL_SECONDS,
  USERS_WRITE,
} from './auth-schemas.js';
import { EmailTakenError, InvalidCredentialsError } from './errors.js';
import type { PublishUserCreated } from './events.js';
import { findCredentials, insertUser } from './queries.js';
import { UserId } from './schemas.js';

/** Signs a token with the service's `auth.jwt` settings, valid for `expiresIn` seconds. */
export type IssueToken = (
  claims: { sub: string; scope: string },
  expiresIn: number,
) => Promise<string>;

/**
 * `/auth/register` and `/auth/login`: the users service issues the tokens its own write
 * routes verify. Both are rate limited per client address, login against password
 * guessing and register against mass sign-ups.
 */
export function authRoutes(db: Database, issue: IssueToken, publishCreated: PublishUserCreated) {
  // A login for an unknown address still verifies a password, against this hash, so it
  // takes as long as a wrong password and its timing tells nothing either.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => {
    decoy ??= hashPassword(randomUUID());
    return decoy;
  };
  return group({ prefix: '/auth', tags: ['auth'] }, [
    route({
      method: 'POST',
      url: '/register',
      name: 'register',
      summary: 'Register a user who can log in',
      description:
        'Stores the user with its e-mail address and a hash of its password, publishes ' +
        '`user.created` like POST /users, and answers 201 with its id. Answers 409 ' +
        `EMAIL_TAKEN when the address is registered already, and 429 RATE_LIMITED past ` +
        `${AUTH_RATE_LIMIT.max} registrations a minute from one address.`,
      status: 201,
      rateLimit: AUTH_RATE_LIMIT,
      body: Registration,
      response: UserId,
      handler: async ({ body }) => {
        const credentials = {
          email: body.email.toLowerCase(),
          password_hash: await hashPassword(body.password),
        };
        try {
          return await insertUser(db, { name: body.name }, publishCreated, credentials);
        } catch (err) {
          // The only unique column a registration can clash on is the e-mail address.
          if (err instanceof DatabaseConflictError) throw new EmailTakenError();
          throw err;
        }
      },
    }),
    route({
      method: 'POST',
      url: '/login',
      name: 'login',
      summary: 'Log in: exchange e-mail and password for a bearer token',
      description:
        `Answers a JWT granting \`${USERS_WRITE}\`, valid ${TOKEN_TTL_SECONDS} s, with ` +
        '`sub` the user id. An unknown address and a wrong password get the same 401 ' +
        `INVALID_CREDENTIALS; past ${AUTH_RATE_LIMIT.max} attempts a minute from one ` +
        'address, 429 RATE_LIMITED.',
      rateLimit: AUTH_RATE_LIMIT,
      body: Login,
      response: IssuedToken,
      handler: async ({ body }) => {
        const found = await findCredentials(db, body.email.toLowerCase());
        const hash = found?.password_hash ?? (await decoyHash());
        const matches = await verifyPassword(body.password, hash);
        if (!found || !matches) throw new InvalidCredentialsError();
        const token = await issue({ sub: String(found.id), scope: USERS_WRITE }, TOKEN_TTL_SECONDS);
        return { token, expires_in: TOKEN_TTL_SECONDS };
      },
    }),
  ]);
}
