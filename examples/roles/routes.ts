import { group, route } from 'wharf';
import type { MemoryStore } from '../shared/memory-store.js';
import { PageQuery, pageOf } from '../shared/paging.js';
import { RoleLimitReachedError, RoleNameTakenError, RoleNotFoundError } from './errors.js';
import { NewRole, Role, RoleParams } from './schemas.js';

/** The `/roles` routes, reading and writing the given store. */
export function roleRoutes(store: MemoryStore<Role>) {
  return group({ prefix: '/roles', tags: ['roles'] }, [
    route({
      method: 'GET',
      url: '/',
      name: 'listRoles',
      summary: 'List roles',
      description: 'One page of roles in id order; `limit` and `offset` select the page.',
      query: PageQuery,
      response: pageOf(Role),
      handler: ({ query }) => store.list(query),
    }),
    route({
      method: 'GET',
      url: '/:id',
      name: 'getRole',
      summary: 'Get a role by id',
      description: 'Answers 404 with code ROLE_NOT_FOUND when no role has this id.',
      params: RoleParams,
      response: Role,
      handler: ({ params }) => {
        const role = store.get(params.id);
        if (!role) throw new RoleNotFoundError(params.id);
        return role;
      },
    }),
    route({
      method: 'POST',
      url: '/',
      name: 'createRole',
      summary: 'Create a role',
      description:
        'Stores the role in memory and answers 201 with it, id included. Answers 409 with ' +
        'code ROLE_NAME_TAKEN for a name in use and ROLE_LIMIT_REACHED once the store is full.',
      status: 201,
      body: NewRole,
      response: Role,
      handler: ({ body }) => {
        const existing = store.find((role) => role.name === body.name);
        if (existing) throw new RoleNameTakenError(body.name, existing.id);
        if (store.full) throw new RoleLimitReachedError(store.maxSize);
        return store.add(body);
      },
    }),
  ]);
}
