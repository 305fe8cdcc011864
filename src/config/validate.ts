import Value from 'typebox/value';
import { describeType } from './describe.js';
import { BOOLEAN_WORDS } from './env.js';
import { originOf } from './layers.js';
import { type BranchSchema, envName, isBranch, isPlainObject, type JsonSchema } from './leaves.js';
import { describeOrigin, isEnvOrigin, type Origin, showValue } from './origin.js';

const PREFIX = 'Invalid configuration:';

/**
 * Give every required group that is absent an empty object, so the defaults of its
 * settings apply without the group declaring `default: {}` itself.
 */
export function fillGroups(schema: BranchSchema, value: Record<string, unknown>): void {
  const required = new Set(schema.required ?? []);
  for (const [name, child] of Object.entries(schema.properties)) {
    if (!isBranch(child)) continue;
    if (value[name] === undefined && required.has(name)) value[name] = {};
    const group = value[name];
    if (isPlainObject(group)) fillGroups(child, group);
  }
}

/**
 * Check the assembled configuration; one self-contained line per failing setting, naming
 * the key, where its value came from, the value and what was expected.
 */
export function findProblems(
  schema: BranchSchema,
  value: Record<string, unknown>,
  origins: ReadonlyMap<string, Origin>,
): string[] {
  const problems: string[] = [];
  visitGroup(schema, value, [], origins, problems);
  if (problems.length === 0 && !Value.Check(schema, value)) {
    // Rules above single settings (e.g. on a whole group) still deserve a readable line.
    const first = Value.Errors(schema, value)[0];
    const key = first?.instancePath.slice(1).replaceAll('/', '.') || '(root)';
    problems.push(`${PREFIX} ${key} ${first?.message ?? 'does not match the schema'}`);
  }
  return problems;
}

function visitGroup(
  schema: BranchSchema,
  value: Record<string, unknown>,
  path: readonly string[],
  origins: ReadonlyMap<string, Origin>,
  problems: string[],
): void {
  const required = new Set(schema.required ?? []);
  for (const [name, child] of Object.entries(schema.properties)) {
    const childPath = [...path, name];
    const childValue = value[name];
    if (childValue === undefined) {
      if (required.has(name)) problems.push(missing(child, childPath));
    } else if (isBranch(child) && isPlainObject(childValue)) {
      visitGroup(child, childValue, childPath, origins, problems);
    } else if (!Value.Check(child, childValue)) {
      problems.push(wrongValue(child, childPath, childValue, originOf(origins, childPath)));
    }
  }
}

function wrongValue(schema: JsonSchema, path: readonly string[], value: unknown, origin: Origin) {
  const hint = schema.type === 'boolean' && isEnvOrigin(origin) ? ` (${BOOLEAN_WORDS})` : '';
  const expected = isBranch(schema) ? 'object' : describeType(schema);
  return `${PREFIX} ${path.join('.')} = ${showValue(value, origin)} (${describeOrigin(origin)}): expected ${expected}${hint}`;
}

function missing(schema: JsonSchema, path: readonly string[]): string {
  const key = path.join('.');
  if (isBranch(schema)) {
    return `${PREFIX} ${key} is missing (add it to the config module): expected object`;
  }
  const names = [envName(path), ...(typeof schema.env === 'string' ? [schema.env] : [])];
  return `${PREFIX} ${key} is missing (set ${names.join(' or ')} or add it to the config module): expected ${describeType(schema)}`;
}
