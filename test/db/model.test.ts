import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  real,
  serial,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import type { Static } from 'typebox';
import Value from 'typebox/value';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildOpenApiSpec, createService, route } from 'wharf';
import { described, modelSchema } from 'wharf/db';

const climate = pgEnum('climate', ['arid', 'temperate', 'polar']);

const cities = pgTable('cities', {
  id: serial('id').primaryKey(),
  name: described(varchar('name', { length: 80 }).notNull(), 'Official name of the city'),
  population: described(integer('population'), 'Inhabitants at the last census'),
  climate: climate('climate').notNull(),
  kind: text('kind', { enum: ['capital', 'town'] }),
  tags: described(text('tags').array().notNull().default(sql`'{}'`), 'Free-form labels'),
  founded: timestamp('founded', { withTimezone: true }).defaultNow().notNull(),
  area: numeric('area'),
  meta: jsonb('meta'),
  isPort: boolean('is_port').notNull().default(false),
  code: uuid('code').defaultRandom().notNull(),
  visitors: bigint('visitors', { mode: 'bigint' }),
  rank: bigint('rank', { mode: 'number' }),
  ratio: real('ratio'),
  day: date('day'),
  slug: text('slug').generatedAlwaysAs(sql`lower(name)`),
  ref: integer('ref').generatedAlwaysAsIdentity(),
});

const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 };

describe('modelSchema: column types', () => {
  const props = modelSchema(cities).properties as Record<string, unknown>;

  it('maps integers and serials to integer with the column range', () => {
    expect(props.id).toEqual({ type: 'integer', ...INT32 });
    expect(props.rank).toEqual({
      type: ['integer', 'null'],
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
  });

  it('maps varchar(n) to a string of at most n characters', () => {
    expect(props.name).toEqual({
      type: 'string',
      maxLength: 80,
      description: 'Official name of the city',
    });
  });

  it('maps booleans, reals, timestamps, dates and uuids', () => {
    expect(props.isPort).toEqual({ type: 'boolean' });
    expect(props.ratio).toEqual({ type: ['number', 'null'] });
    expect(props.founded).toEqual({ type: 'string', format: 'date-time' });
    expect(props.day).toEqual({ type: ['string', 'null'], format: 'date' });
    expect(props.code).toEqual({ type: 'string', format: 'uuid' });
  });

  it('carries numeric and bigint as strings of digits, so no precision is lost', () => {
    const area = modelSchema(cities, { pick: ['area'] });
    expect(Value.Check(area, { area: '1234.50' })).toBe(true);
    expect(Value.Check(area, { area: 1234.5 })).toBe(false);
    expect(Value.Check(area, { area: '12abc' })).toBe(false);
    const visitors = modelSchema(cities, { pick: ['visitors'] });
    expect(Value.Check(visitors, { visitors: '9007199254740993' })).toBe(true);
    expect(Value.Check(visitors, { visitors: '1.5' })).toBe(false);
  });

  it('maps json to any value, null included', () => {
    expect(props.meta).toEqual({});
  });

  it('maps pgEnum and text enums to a union of literals; a nullable one to an enum with null', () => {
    expect(props.climate).toEqual({
      anyOf: [
        { type: 'string', const: 'arid' },
        { type: 'string', const: 'temperate' },
        { type: 'string', const: 'polar' },
      ],
    });
    expect(props.kind).toEqual({
      type: ['string', 'null'],
      enum: ['capital', 'town', null],
    });
  });

  it('maps arrays to arrays of the element type', () => {
    expect(props.tags).toEqual({
      type: 'array',
      items: { type: 'string' },
      description: 'Free-form labels',
    });
  });

  it('makes nullable columns a type list with null, keeping the description', () => {
    expect(props.population).toEqual({
      type: ['integer', 'null'],
      ...INT32,
      description: 'Inhabitants at the last census',
    });
  });
});

describe('modelSchema: select and insert', () => {
  it('requires every column when selecting', () => {
    expect(modelSchema(cities).required).toEqual(
      Object.keys(cities).filter((k) => k !== 'enableRLS'),
    );
  });

  it('on insert, leaves out generated columns and makes defaulted and nullable ones optional', () => {
    const insert = modelSchema(cities, { mode: 'insert' });
    expect(Object.keys(insert.properties)).not.toContain('slug');
    expect(Object.keys(insert.properties)).not.toContain('ref');
    expect(insert.required).toEqual(['name', 'climate']);
    expect(Value.Check(insert, { name: 'Oslo', climate: 'polar' })).toBe(true);
    expect(Value.Check(insert, { name: 'Oslo' })).toBe(false);
    expect(Value.Check(insert, { name: 'x'.repeat(81), climate: 'polar' })).toBe(false);
    expect(Value.Check(insert, { name: 'Oslo', climate: 'tropical' })).toBe(false);
    expect(Value.Check(insert, { name: null, climate: 'polar' })).toBe(false);
    expect(Value.Check(insert, { name: 'Oslo', climate: 'polar', population: null })).toBe(true);
    expect(Value.Check(insert, { name: 'Oslo', climate: 'polar', kind: null })).toBe(true);
    expect(Value.Check(insert, { name: 'Oslo', climate: 'polar', kind: 'village' })).toBe(false);
  });

  it('picks, omits and makes fields optional', () => {
    const picked = modelSchema(cities, {
      pick: ['id', 'name', 'population'],
      omit: ['population'],
    });
    expect(Object.keys(picked.properties)).toEqual(['id', 'name']);
    const patch = modelSchema(cities, { mode: 'insert', omit: ['id'], partial: true });
    expect(patch.required ?? []).toEqual([]);
    expect(Object.keys(patch.properties)).not.toContain('id');
    const some = modelSchema(cities, { pick: ['id', 'name'], partial: ['name'] });
    expect(some.required).toEqual(['id']);
  });

  it('adds an object description and can close the object to unknown fields', () => {
    const closed = modelSchema(cities, {
      pick: ['name'],
      description: 'A city',
      additionalProperties: false,
    });
    expect(closed).toMatchObject({ description: 'A city' });
    expect(Value.Check(closed, { name: 'Oslo', extra: 1 })).toBe(false);
    expect(Value.Check(modelSchema(cities, { pick: ['name'] }), { name: 'Oslo', extra: 1 })).toBe(
      true,
    );
  });

  it('refuses a pick, omit or partial key that is not a column', () => {
    expect(() => modelSchema(cities, { pick: ['nmae' as 'name'] })).toThrow(
      'modelSchema(cities): pick names "nmae", which is not a column of the table',
    );
    expect(() => modelSchema(cities, { omit: ['x' as 'name'] })).toThrow(/omit names "x"/);
  });
});

describe('modelSchema: static types', () => {
  it('types a selected row as it travels in JSON', () => {
    const City = modelSchema(cities);
    expectTypeOf<Static<typeof City>>().toEqualTypeOf<{
      id: number;
      name: string;
      population: number | null;
      climate: 'arid' | 'temperate' | 'polar';
      kind: 'capital' | 'town' | null;
      tags: string[];
      founded: string;
      area: string | null;
      meta: unknown;
      isPort: boolean;
      code: string;
      visitors: string | null;
      rank: number | null;
      ratio: number | null;
      day: string | null;
      slug: string | null;
      ref: number;
    }>();
  });

  it('types an insert with optional defaulted fields and no generated ones', () => {
    const NewCity = modelSchema(cities, { mode: 'insert' });
    expectTypeOf<Static<typeof NewCity>>().toEqualTypeOf<{
      id?: number;
      name: string;
      population?: number | null;
      climate: 'arid' | 'temperate' | 'polar';
      kind?: 'capital' | 'town' | null;
      tags?: string[];
      founded?: string;
      area?: string | null;
      meta?: unknown;
      isPort?: boolean;
      code?: string;
      visitors?: string | null;
      rank?: number | null;
      ratio?: number | null;
      day?: string | null;
    }>();
  });

  it('types pick, omit and partial', () => {
    const Picked = modelSchema(cities, { pick: ['id', 'name', 'kind'], omit: ['kind'] });
    expectTypeOf<Static<typeof Picked>>().toEqualTypeOf<{ id: number; name: string }>();
    const Patch = modelSchema(cities, { pick: ['name', 'population'], partial: true });
    expectTypeOf<Static<typeof Patch>>().toEqualTypeOf<{
      name?: string;
      population?: number | null;
    }>();
    const Some = modelSchema(cities, { pick: ['id', 'name'], partial: ['name'] });
    expectTypeOf<Static<typeof Some>>().toEqualTypeOf<{ id: number; name?: string }>();
    // @ts-expect-error: not a column
    expect(() => modelSchema(cities, { pick: ['nope'] })).toThrow(TypeError);
  });
});

describe('modelSchema in a service', () => {
  it('puts the column descriptions into the OpenAPI document', async () => {
    const service = createService({
      name: 'cities',
      config: { log: { level: 'silent' } },
      routes: [
        route({
          method: 'POST',
          url: '/cities',
          name: 'createCity',
          body: modelSchema(cities, { mode: 'insert', pick: ['name', 'population'] }),
          response: modelSchema(cities, { pick: ['id', 'name', 'population'] }),
          handler: ({ body }) => ({ id: 1, name: body.name, population: body.population ?? null }),
        }),
      ],
    });
    const spec = await buildOpenApiSpec(service);
    const body = JSON.stringify(spec.paths['/cities']);
    expect(body).toContain('Official name of the city');
    expect(body).toContain('Inhabitants at the last census');
    await service.stop();
  });
});
