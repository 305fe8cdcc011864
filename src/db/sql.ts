import type { SqlQuery } from './types.js';

/**
 * A piece of SQL built only from template text, identifiers quoted by `ident()` and bound
 * values. Interpolating a fragment into a query splices its text in and renumbers its
 * placeholders; interpolating anything else binds it as a parameter. There is no way to
 * turn a value into SQL text.
 */
export class SqlFragment implements SqlQuery {
  /** Text pieces around the values: always one more than `values`. */
  readonly parts: readonly string[];
  readonly values: readonly unknown[];
  #text: string | undefined;

  /** @internal use `sql`, `ident` or `sql.join` */
  constructor(parts: readonly string[], values: readonly unknown[]) {
    this.parts = parts;
    this.values = values;
  }

  /** The statement text with `$1…$n` placeholders. */
  get text(): string {
    this.#text ??= numbered(this.parts);
    return this.#text;
  }
}

/** Compose SQL from a template: `sql\`id = ${id}\`` binds `id`; fragments nest. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  const parts: string[] = [strings[0] ?? ''];
  const bound: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    appendValue(parts, bound, values[i]);
    parts[parts.length - 1] += strings[i + 1] ?? '';
  }
  return new SqlFragment(parts, bound);
}

const COMMA = new SqlFragment([', '], []);

/**
 * Join items with a separator (`, ` unless given): fragments are spliced in, every other
 * item is bound. `sql\`where id in (${sql.join(ids)})\``.
 */
sql.join = function join(items: readonly unknown[], separator: SqlFragment = COMMA): SqlFragment {
  const parts: string[] = [''];
  const bound: unknown[] = [];
  items.forEach((item, i) => {
    if (i > 0) appendValue(parts, bound, separator);
    appendValue(parts, bound, item);
  });
  return new SqlFragment(parts, bound);
};

/**
 * A quoted identifier (table, column, schema): `ident('public', 'users')` is
 * `"public"."users"`. Quotes inside a name are doubled, so any string is safe here.
 */
export function ident(...names: string[]): SqlFragment {
  if (names.length === 0) throw new TypeError('ident() needs at least one name');
  const quoted = names.map((name) => {
    if (typeof name !== 'string' || name.length === 0 || name.includes('\0')) {
      throw new TypeError(`Invalid SQL identifier: ${JSON.stringify(name)}`);
    }
    return `"${name.replaceAll('"', '""')}"`;
  });
  return new SqlFragment([quoted.join('.')], []);
}

// Queries without fragments have the same text every time a call site runs: cache it.
const textCache = new WeakMap<TemplateStringsArray, string>();

/** Turn a tagged-template call into a parameterised query. */
export function buildQuery(strings: TemplateStringsArray, values: readonly unknown[]): SqlQuery {
  let plain = true;
  for (const value of values) {
    if (value instanceof SqlFragment) {
      plain = false;
      break;
    }
  }
  if (!plain) {
    const fragment = sql(strings, ...values);
    checkDefined(fragment.values);
    return { text: fragment.text, values: fragment.values };
  }
  checkDefined(values);
  let text = textCache.get(strings);
  if (text === undefined) {
    text = numbered(strings);
    textCache.set(strings, text);
  }
  return { text, values };
}

function appendValue(parts: string[], bound: unknown[], value: unknown): void {
  if (value instanceof SqlFragment) {
    parts[parts.length - 1] += value.parts[0] ?? '';
    for (let j = 0; j < value.values.length; j++) {
      bound.push(value.values[j]);
      parts.push(value.parts[j + 1] ?? '');
    }
    return;
  }
  bound.push(value);
  parts.push('');
}

function numbered(parts: readonly string[]): string {
  let text = parts[0] ?? '';
  for (let i = 1; i < parts.length; i++) text += `$${i}${parts[i]}`;
  return text;
}

// Both drivers would turn undefined into something different (an error, or NULL):
// reject it the same way on both so a missing field is never written silently.
function checkDefined(values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i] === undefined) {
      throw new TypeError(`SQL parameter $${i + 1} is undefined; pass null for SQL NULL`);
    }
  }
}
