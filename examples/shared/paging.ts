import { type Static, type TSchema, Type } from 'wharf';

/** Page size when the caller does not ask for one. */
export const DEFAULT_LIMIT = 20;
/** Largest page a caller may ask for: a list never returns the whole store at once. */
export const MAX_LIMIT = 100;

/** `?limit=&offset=` of every list route; query strings are coerced to integers. */
export const PageQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
      description: `Items per page (1–${MAX_LIMIT}).`,
    }),
  ),
  offset: Type.Optional(
    Type.Integer({
      minimum: 0,
      default: 0,
      description: 'Items to skip before the first one returned.',
    }),
  ),
});

export type PageQuery = Static<typeof PageQuery>;

/** The `data` of a list route: one page of items and where it sits in the whole. */
export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item, { description: 'The items of this page, in id order.' }),
    total: Type.Integer({ description: 'Number of items in the whole collection.' }),
    limit: Type.Integer({ description: 'Page size that was applied.' }),
    offset: Type.Integer({ description: 'Offset that was applied.' }),
  });
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
