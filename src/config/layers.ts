import Value from 'typebox/value';
import { fromEnvString } from './env.js';
import { type BranchSchema, type ConfigLeaf, isBranch, isPlainObject } from './leaves.js';
import { describeOrigin, type Origin, showValue } from './origin.js';
import type { EnvVars } from './sources.js';

/** The configuration being assembled: the value, where each setting came from, and mistakes seen. */
export interface Layers {
  readonly value: Record<string, unknown>;
  /** Dotted key → origin of the value that won. */
  readonly origins: Map<string, Origin>;
  readonly problems: string[];
}

export function createLayers(): Layers {
  return { value: {}, origins: new Map(), problems: [] };
}

/**
 * Lay an object source (loadConfig defaults, the config module) over what is there,
 * key by key. Keys the schema does not declare are reported, so a typo never passes
 * silently; a non-object where settings nest is reported instead of replacing the group.
 */
export function mergeObjectLayer(
  schema: BranchSchema,
  layers: Layers,
  source: Readonly<Record<string, unknown>>,
  origin: Origin,
  options: { ignoreUnknownTopLevel?: boolean } = {},
): void {
  const known = options.ignoreUnknownTopLevel
    ? Object.fromEntries(
        Object.entries(source).filter(([name]) => Object.hasOwn(schema.properties, name)),
      )
    : source;
  mergeInto(schema, layers.value, known, [], origin, layers);
}

function mergeInto(
  schema: BranchSchema,
  target: Record<string, unknown>,
  source: Readonly<Record<string, unknown>>,
  path: readonly string[],
  origin: Origin,
  layers: Layers,
): void {
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const childPath = [...path, name];
    const key = childPath.join('.');
    const child = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    if (!child) {
      layers.problems.push(unknownKey(key, name, schema, path, origin));
    } else if (!isBranch(child)) {
      target[name] = Value.Clone(value);
      layers.origins.set(key, origin);
    } else if (!isPlainObject(value)) {
      layers.problems.push(
        `Invalid configuration: ${key} = ${showValue(value, origin)} (${describeOrigin(origin)}): expected object`,
      );
    } else {
      const group = target[name];
      const next = isPlainObject(group) ? group : {};
      target[name] = next;
      mergeInto(child, next, value, childPath, origin, layers);
    }
  }
}

/**
 * Set every leaf named by a variable in `vars`. The `WHARF_` name wins over the leaf's
 * alias when both are set in the same source.
 */
export function mergeEnvLayer(
  layers: Layers,
  leaves: readonly ConfigLeaf[],
  vars: EnvVars,
  originOf: (name: string, raw: string) => Origin,
): void {
  for (const leaf of leaves) {
    const name = leaf.envNames.find((candidate) => vars[candidate] !== undefined);
    const raw = name === undefined ? undefined : vars[name];
    if (name === undefined || raw === undefined) continue;
    setAt(layers.value, leaf.path, fromEnvString(leaf.schema, raw));
    layers.origins.set(leaf.key, originOf(name, raw));
  }
}

/** The nearest recorded origin of `path` or of a group holding it; else the schema default. */
export function originOf(origins: ReadonlyMap<string, Origin>, path: readonly string[]): Origin {
  for (let length = path.length; length > 0; length--) {
    const origin = origins.get(path.slice(0, length).join('.'));
    if (origin) return origin;
  }
  return { kind: 'default' };
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const existing = node[segment];
    const next = isPlainObject(existing) ? existing : {};
    node[segment] = next;
    node = next;
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function unknownKey(
  key: string,
  name: string,
  schema: BranchSchema,
  parent: readonly string[],
  origin: Origin,
): string {
  const line = `Invalid configuration: ${key} is not a known setting (${describeOrigin(origin)})`;
  const near = closest(name, Object.keys(schema.properties));
  return near === undefined ? line : `${line}; did you mean ${[...parent, near].join('.')}?`;
}

/** A declared name within two edits of `name` (ignoring case), the nearest one. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
