import { type Static, Type } from 'wharf';
import { modelSchema } from 'wharf/db';
import { users } from './model.js';

/**
 * The credential columns: written only by POST /auth/register, read only by POST
 * /auth/login, and left out of every other schema, so no response (nor the OpenAPI spec)
 * can carry them and no write through /users can set them.
 */
const CREDENTIALS = ['email', 'password_hash'] as const;

/** The columns a caller may write: the database sets `id` and `create_time`. */
const WRITABLE = {
  mode: 'insert',
  omit: ['create_time', ...CREDENTIALS],
  additionalProperties: false,
} as const;

/** A user as the service answers it: every column but the credentials, described from the model. */
export const User = modelSchema(users, {
  omit: CREDENTIALS,
  description: 'A user of the example system.',
});
export type User = Static<typeof User>;

/** The columns of `User`, which are all queries of users select: never the credentials. */
export const USER_COLUMNS = Object.keys(User.properties) as (keyof User & keyof typeof users)[];

/** What a caller sends to create a user: `name` is required, the rest may be left out. */
export const NewUser = modelSchema(users, WRITABLE);
export type NewUser = Static<typeof NewUser>;

/** A partial update: only the fields sent change. */
export const UserPatch = modelSchema(users, { ...WRITABLE, partial: true });
export type UserPatch = Static<typeof UserPatch>;

/** `/users/:id`, and what create and delete answer: the id, within the column's range. */
export const UserId = modelSchema(users, { pick: ['id'] });
export type UserId = Static<typeof UserId>;

/**
 * The city embedded in a user, as the cities service answers it. Declared here rather than
 * imported: it is what this service promises its callers, and serialization writes only
 * these fields whatever the cities service adds later.
 */
export const RelatedCity = Type.Object(
  {
    id: Type.Integer({ description: 'Id in the cities service.' }),
    name: Type.String({ description: 'Common English name.' }),
    country: Type.String({ description: 'ISO 3166-1 alpha-2 country code, e.g. "FR".' }),
    population: Type.Integer({ description: 'Inhabitants of the city proper.' }),
  },
  { description: 'The city the user lives in, from the cities service.' },
);

/** The role embedded in a user, as the roles service answers it. */
export const RelatedRole = Type.Object(
  {
    id: Type.Integer({ description: 'Id in the roles service.' }),
    name: Type.String({ description: 'Unique role name, e.g. "editor".' }),
    permissions: Type.Array(Type.String(), {
      description: 'What holders of the role may do, as `resource:action` pairs.',
    }),
  },
  { description: "The user's role, from the roles service." },
);

/** What GET /users/:id answers: the user with its city and role in place of a second call. */
export const UserWithRelations = Type.Object(
  {
    ...User.properties,
    city: Type.Union([RelatedCity, Type.Null()], {
      description:
        'The city `city_id` names; null when `city_id` is null or the cities service no longer has it.',
    }),
    role: Type.Union([RelatedRole, Type.Null()], {
      description:
        'The role `role_id` names; null when `role_id` is null or the roles service no longer has it.',
    }),
  },
  { description: 'A user of the example system, with its city and role.' },
);
export type UserWithRelations = Static<typeof UserWithRelations>;
