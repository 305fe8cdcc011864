import { type AuthInfo, group, route } from 'wharf';
import type { Database } from 'wharf/db';
import { PageQuery, pageOf } from '../shared/paging.js';
import { USERS_ADMIN, USERS_WRITE } from './auth-schemas.js';
import { NotYourUserError, UserNotFoundError } from './errors.js';
import type { PublishUserCreated } from './events.js';
import { deleteUser, findUser, insertUser, listUsers, updateUser } from './queries.js';
import type { EmbedRelations } from './relations.js';
import { NewUser, User, UserId, UserPatch, UserWithRelations } from './schemas.js';

/** What every write needs: a bearer token granting `users:write`. */
const WRITE = { scopes: [USERS_WRITE] } as const;

/**
 * A token changes or deletes its own user (`sub` is the id, as POST /auth/login issues
 * it); any other user only with `users:admin` as well.
 */
function assertMayChange(auth: AuthInfo, id: number): void {
  if (auth.sub !== String(id) && !auth.scopes.includes(USERS_ADMIN)) {
    throw new NotYourUserError(id);
  }
}

/**
 * The `/users` routes, reading and writing the given database; GET /users/:id embeds the
 * user's city and role through `embed`, and POST /users announces each new user through
 * `publishCreated`. Reads are public; writes need a bearer token (see WRITE and
 * assertMayChange).
 */
export function userRoutes(
  db: Database,
  embed: EmbedRelations,
  publishCreated: PublishUserCreated,
) {
  return group({ prefix: '/users', tags: ['users'] }, [
    route({
      method: 'GET',
      url: '/',
      name: 'listUsers',
      summary: 'List users',
      description:
        'One page of users in id order, and the total; `limit` and `offset` select the page.',
      query: PageQuery,
      response: pageOf(User),
      handler: ({ query }) => listUsers(db, query),
    }),
    route({
      method: 'GET',
      url: '/:id',
      name: 'getUser',
      summary: 'Get a user by id, with its city and role',
      description:
        'The user with `city` and `role` embedded, read from the cities and roles services ' +
        'at the same time. Each is null when its id is null or its service answers 404 for ' +
        'it (a stale reference). Answers 404 with code USER_NOT_FOUND when no user has this ' +
        'id; when the cities or roles service fails, 502 UPSTREAM_ERROR, 503 ' +
        'UPSTREAM_UNAVAILABLE or 504 UPSTREAM_TIMEOUT naming it in `error.upstream`.',
      params: UserId,
      response: UserWithRelations,
      handler: async ({ params, log }) => {
        const user = await findUser(db, params.id);
        if (!user) throw new UserNotFoundError(params.id);
        return embed(user, log);
      },
    }),
    route({
      method: 'POST',
      url: '/',
      name: 'createUser',
      summary: 'Create a user',
      description:
        'Stores the user, publishes `user.created` (through the outbox, so only once the ' +
        'row is committed) and answers 201 with its id. Needs a bearer token granting ' +
        `\`${USERS_WRITE}\`.`,
      status: 201,
      auth: WRITE,
      body: NewUser,
      response: UserId,
      handler: ({ body }) => insertUser(db, body, publishCreated),
    }),
    route({
      method: 'PATCH',
      url: '/:id',
      name: 'updateUser',
      summary: 'Update some fields of a user',
      description:
        'Changes only the fields sent and answers the whole user. ' +
        'Answers 404 with code USER_NOT_FOUND when no user has this id. Needs a bearer ' +
        `token granting \`${USERS_WRITE}\` whose \`sub\` is this id, or granting ` +
        `\`${USERS_ADMIN}\` too (else 403 USER_NOT_YOURS).`,
      auth: WRITE,
      params: UserId,
      body: UserPatch,
      response: User,
      handler: async ({ params, body, auth }) => {
        assertMayChange(auth, params.id);
        const user = await updateUser(db, params.id, body);
        if (!user) throw new UserNotFoundError(params.id);
        return user;
      },
    }),
    route({
      method: 'DELETE',
      url: '/:id',
      name: 'deleteUser',
      summary: 'Delete a user',
      description:
        'Answers the id of the deleted user, or 404 with code USER_NOT_FOUND when there was ' +
        `none. Needs a bearer token granting \`${USERS_WRITE}\` whose \`sub\` is this id, or ` +
        `granting \`${USERS_ADMIN}\` too (else 403 USER_NOT_YOURS).`,
      auth: WRITE,
      params: UserId,
      response: UserId,
      handler: async ({ params, auth }) => {
        assertMayChange(auth, params.id);
        if (!(await deleteUser(db, params.id))) throw new UserNotFoundError(params.id);
        return { id: params.id };
      },
    }),
  ]);
}
