import { group, route } from 'wharf';
import type { Database } from 'wharf/db';
import { PageQuery, pageOf } from '../shared/paging.js';
import { UserNotFoundError } from './errors.js';
import { deleteUser, findUser, insertUser, listUsers, updateUser } from './queries.js';
import { NewUser, User, UserId, UserPatch } from './schemas.js';

/** The `/users` routes, reading and writing the given database. */
export function userRoutes(db: Database) {
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
      summary: 'Get a user by id',
      description: 'Answers 404 with code USER_NOT_FOUND when no user has this id.',
      params: UserId,
      response: User,
      handler: async ({ params }) => {
        const user = await findUser(db, params.id);
        if (!user) throw new UserNotFoundError(params.id);
        return user;
      },
    }),
    route({
      method: 'POST',
      url: '/',
      name: 'createUser',
      summary: 'Create a user',
      description: 'Stores the user and answers 201 with its id.',
      status: 201,
      body: NewUser,
      response: UserId,
      handler: ({ body }) => insertUser(db, body),
    }),
    route({
      method: 'PATCH',
      url: '/:id',
      name: 'updateUser',
      summary: 'Update some fields of a user',
      description:
        'Changes only the fields sent and answers the whole user. ' +
        'Answers 404 with code USER_NOT_FOUND when no user has this id.',
      params: UserId,
      body: UserPatch,
      response: User,
      handler: async ({ params, body }) => {
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
        'Answers the id of the deleted user, or 404 with code USER_NOT_FOUND when there was none.',
      params: UserId,
      response: UserId,
      handler: async ({ params }) => {
        if (!(await deleteUser(db, params.id))) throw new UserNotFoundError(params.id);
        return { id: params.id };
      },
    }),
  ]);
}
