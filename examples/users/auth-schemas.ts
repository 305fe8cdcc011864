import { type Static, Type } from 'wharf';
import { User } from './schemas.js';

/** The scope that lets a token create users, and change or delete its own. */
export const USERS_WRITE = 'users:write';
/** The scope that lets a token change or delete any user; login never grants it. */
export const USERS_ADMIN = 'users:admin';

/** Lifetime of the tokens POST /auth/login issues, in seconds. */
export const TOKEN_TTL_SECONDS = 3600;

/** Per client address, on each of register and login: enough for a person, not for guessing. */
export const AUTH_RATE_LIMIT = { max: 10, windowMs: 60_000 } as const;

const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'E-mail address to log in with; compared without regard to case.',
});

// Up to 256 UTF-16 units stays within hashPassword's 1024-byte limit whatever the text.
const NewPassword = Type.String({
  minLength: 8,
  maxLength: 256,
  description: 'At least 8 characters; stored only as an scrypt hash.',
});

const Password = Type.String({ minLength: 1, maxLength: 256, description: 'The password.' });

export const Registration = Type.Object(
  { name: User.properties.name, email: Email, password: NewPassword },
  { additionalProperties: false, description: 'A new user who can log in.' },
);
export type Registration = Static<typeof Registration>;

export const Login = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false, description: 'The credentials given at registration.' },
);
export type Login = Static<typeof Login>;

export const IssuedToken = Type.Object(
  {
    token: Type.String({
      description: `JWT to send as "Authorization: Bearer <token>"; grants ${USERS_WRITE}.`,
    }),
    expires_in: Type.Integer({ description: 'Seconds until the token expires.' }),
  },
  { description: 'A bearer token for the write routes of /users.' },
);
export type IssuedToken = Static<typeof IssuedToken>;
