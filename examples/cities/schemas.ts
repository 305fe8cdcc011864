import { type Static, Type } from 'wharf';

const id = Type.Integer({ minimum: 1, description: 'Identifier given by the service.' });
const name = Type.String({ minLength: 1, maxLength: 100, description: 'Common English name.' });
const country = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code, e.g. "FR".',
});
const population = Type.Integer({
  minimum: 0,
  description: 'Inhabitants of the city proper (not the metro area).',
});

export const City = Type.Object({ id, name, country, population });
export type City = Static<typeof City>;

/** What a caller sends to create a city: everything but the id. */
export const NewCity = Type.Object({ name, country, population }, { additionalProperties: false });
export type NewCity = Static<typeof NewCity>;

export const CityParams = Type.Object({ id });
