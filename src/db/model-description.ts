/**
 * Field descriptions live beside the Drizzle column they describe. Drizzle hands a column
 * builder's `config` object to the column it builds, so keying on that object finds the
 * description from either side without touching Drizzle's own fields.
 */
const descriptions = new WeakMap<object, string>();

interface HasConfig {
  readonly config: object;
}

function configOf(value: unknown): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  // `config` is protected in Drizzle's types but public at run time.
  const config = (value as Partial<HasConfig>).config;
  return typeof config === 'object' && config !== null ? config : undefined;
}

/**
 * Attach a description to a Drizzle column; it becomes the field's `description` in the
 * schemas `modelSchema` derives, and so in the OpenAPI document.
 *
 * ```ts
 * const cities = pgTable('cities', {
 *   name: described(varchar('name', { length: 80 }).notNull(), 'Official name of the city'),
 * });
 * ```
 */
export function described<B>(column: B, description: string): B {
  const config = configOf(column);
  if (config === undefined) {
    throw new TypeError('described() expects a Drizzle column, e.g. described(text("name"), "…")');
  }
  descriptions.set(config, description);
  return column;
}

/** The description given to a column (or its builder) with `described`, if any. */
export function descriptionOf(column: unknown): string | undefined {
  const config = configOf(column);
  return config === undefined ? undefined : descriptions.get(config);
}
