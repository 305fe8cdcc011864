import type { Static } from 'wharf';
import { modelSchema } from 'wharf/db';
import { users } from './model.js';

/** The columns a caller may write: the database sets `id` and `create_time`. */
const WRITABLE = { mode: 'insert', omit: ['create_time'], additionalProperties: false } as const;

/** A user as the service answers it: every column, described from the model. */
export const User = modelSchema(users, { description: 'A user of the example system.' });
export type User = Static<typeof User>;

/** What a caller sends to create a user: `name` is required, the rest may be left out. */
export const NewUser = modelSchema(users, WRITABLE);
export type NewUser = Static<typeof NewUser>;

/** A partial update: only the fields sent change. */
export const UserPatch = modelSchema(users, { ...WRITABLE, partial: true });
export type UserPatch = Static<typeof UserPatch>;

/** `/users/:id`, and what create and delete answer: the id, within the column's range. */
export const UserId = modelSchema(users, { pick: ['id'] });
export type UserId = Static<typeof UserId>;
