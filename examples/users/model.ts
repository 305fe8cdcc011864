import { integer, pgEnum, pgTable, text, timestamp, varchar } from 'drizzle-orm/pg-core';
import { described } from 'wharf/db';

/**
 * The users service's tables. `wharf migrate generate` diffs this module against the last
 * snapshot in ./migrations, and modelSchema() derives the API's schemas from it, so a column
 * and its description are declared once.
 */

/** Recorded sex; a database enum, so the API and the database refuse the same values. */
export const userSex = pgEnum('user_sex', ['female', 'male', 'other']);

export const users = pgTable('users', {
  id: described(
    integer('id').primaryKey().generatedAlwaysAsIdentity(),
    'Identifier given by the service.',
  ),
  create_time: described(
    timestamp('create_time', { withTimezone: true }).notNull().defaultNow(),
    'When the user was created (ISO 8601, UTC); set by the database.',
  ),
  name: described(varchar('name', { length: 100 }).notNull(), 'Full name, at most 100 characters.'),
  age: described(integer('age'), 'Age in years; null when unknown.'),
  sex: described(userSex('sex'), 'Recorded sex: "female", "male" or "other"; null when unknown.'),
  city_id: described(
    integer('city_id'),
    'Id of the city the user lives in, in the cities service; null when unknown.',
  ),
  role_id: described(
    integer('role_id'),
    "Id of the user's role, in the roles service; null when none is assigned.",
  ),
  // The credentials: set by POST /auth/register, read only by POST /auth/login, and never
  // part of a response (see schemas.ts). Null for users created through POST /users.
  email: described(
    varchar('email', { length: 254 }).unique(),
    'Login e-mail address, stored in lower case; null when the user cannot log in.',
  ),
  password_hash: described(
    text('password_hash'),
    'scrypt hash of the password (wharf/auth hashPassword); null when the user cannot log in.',
  ),
});
