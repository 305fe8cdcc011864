import { type Static, Type } from 'wharf';

const id = Type.Integer({ minimum: 1, description: 'Identifier given by the service.' });
const name = Type.String({
  pattern: '^[a-z][a-z0-9-]{1,39}$',
  description: 'Unique role name: lower-case letters, digits and dashes, e.g. "editor".',
});
const permission = Type.String({
  pattern: '^[a-z][a-z0-9-]*:(read|write|delete|\\*)$',
  description: 'A `resource:action` pair, e.g. "cities:read"; `*` stands for every action.',
});
const permissions = Type.Array(permission, {
  uniqueItems: true,
  maxItems: 50,
  description: 'What holders of the role may do; no duplicates.',
});

export const Role = Type.Object({ id, name, permissions });
export type Role = Static<typeof Role>;

/** What a caller sends to create a role: everything but the id. */
export const NewRole = Type.Object({ name, permissions }, { additionalProperties: false });
export type NewRole = Static<typeof NewRole>;

export const RoleParams = Type.Object({ id });
