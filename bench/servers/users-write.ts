// What the bare baselines of POST /users do besides parsing: check the bearer token as
// Wharf does (HS256, an expiry, the `users:write` scope) and, in one transaction, insert
// the user and its `user.created` event into the outbox, as the users example does.
import { randomUUID } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { Sql } from 'postgres';
import { USER_CREATED, USERS_EXCHANGE } from '../../examples/users/events.js';

/** The users example's NewUser as plain JSON Schema: what Fastify validates POST bodies with. */
export const NEW_USER_SCHEMA = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 100 },
    age: { type: ['integer', 'null'], minimum: -2_147_483_648, maximum: 2_147_483_647 },
    sex: { type: ['string', 'null'], enum: ['female', 'male', 'other', null] },
    city_id: { type: ['integer', 'null'], minimum: -2_147_483_648, maximum: 2_147_483_647 },
    role_id: { type: ['integer', 'null'], minimum: -2_147_483_648, maximum: 2_147_483_647 },
  },
} as const;

export interface NewUser {
  name: string;
  age?: number | null;
  sex?: 'female' | 'male' | 'other' | null;
  city_id?: number | null;
  role_id?: number | null;
}

/** True when `authorization` carries a valid token granting `users:write`. */
export function tokenChecker(
  secret: string,
): (authorization: string | undefined) => Promise<boolean> {
  const key = new TextEncoder().encode(secret);
  return async (authorization) => {
    if (!authorization?.startsWith('Bearer ')) return false;
    try {
      const { payload } = await jwtVerify(authorization.slice(7), key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
      });
      return typeof payload.scope === 'string' && payload.scope.split(' ').includes('users:write');
    } catch {
      return false;
    }
  };
}

export function insertUser(sql: Sql, user: NewUser): Promise<number> {
  return sql.begin(async (tx) => {
    const city_id = user.city_id ?? null;
    const role_id = user.role_id ?? null;
    const [row] = await tx`
      insert into users (name, age, sex, city_id, role_id)
      values (${user.name}, ${user.age ?? null}, ${user.sex ?? null}, ${city_id}, ${role_id})
      returning id`;
    const id = Number(row?.id);
    await tx`insert into outbox (message_id, exchange, routing_key, body, headers)
      values (${randomUUID()}, ${USERS_EXCHANGE}, ${USER_CREATED},
              ${JSON.stringify({ id, city_id, role_id })}, '{}'::jsonb)`;
    return id;
  });
}

const INT32 = (v: unknown) =>
  v === null ||
  (Number.isInteger(v) && (v as number) >= -2_147_483_648 && (v as number) <= 2_147_483_647);
const SEXES = new Set(['female', 'male', 'other', null]);
const FIELDS = new Set(['name', 'age', 'sex', 'city_id', 'role_id']);

/** NEW_USER_SCHEMA checked by hand, for the node:http baseline. */
export function isNewUser(value: unknown): value is NewUser {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (Object.keys(v).some((key) => !FIELDS.has(key))) return false;
  if (typeof v.name !== 'string' || v.name.length > 100) return false;
  if (v.sex !== undefined && !SEXES.has(v.sex as string | null)) return false;
  return ['age', 'city_id', 'role_id'].every((key) => v[key] === undefined || INT32(v[key]));
}
