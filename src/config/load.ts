import { resolve } from 'node:path';
import { type Static, type TObject, Type } from 'typebox';
import Value from 'typebox/value';
import { ConfigError } from '../errors/index.js';
import type { DeepPartial } from './defaults.js';
import { createLayers, mergeEnvLayer, mergeObjectLayer } from './layers.js';
import {
  type BranchSchema,
  type ConfigLeaf,
  configLeaves,
  isBranch,
  RESERVED_ENV_NAMES,
} from './leaves.js';
import { type CoreConfig, CoreConfigSchema } from './schema.js';
import { type EnvVars, loadConfigModule, readEnvFile } from './sources.js';
import { fillGroups, findProblems } from './validate.js';

/** What `loadConfig` returns: Wharf's settings, and the application's next to them. */
export type LoadedConfig<A extends TObject | undefined = undefined> = A extends TObject
  ? CoreConfig & Static<A>
  : CoreConfig;

export interface LoadConfigOptions<A extends TObject | undefined = undefined> {
  /**
   * The application's own settings as a `Type.Object`; its keys sit next to Wharf's at
   * the top level and must not reuse one of them.
   */
  schema?: A;
  /** Values laid over the schema defaults and under every other source. */
  defaults?: DeepPartial<LoadedConfig<A>>;
  /** Environment to read; `process.env` unless given. Never written to. */
  env?: EnvVars;
  /** Directory `WHARF_CONFIG`, `WHARF_ENV_FILE` and `.env` resolve against; `process.cwd()` unless given. */
  cwd?: string;
  /**
   * Pass over top-level keys of the config module that neither Wharf's schema nor
   * `schema` declares, instead of reporting them. For tools (`wharf migrate`) that read
   * Wharf's settings from a module written for an application with settings of its own;
   * unknown keys inside Wharf's groups are still reported.
   */
  ignoreUnknownSettings?: boolean;
}

/**
 * Assemble the configuration from, lowest precedence first: schema defaults,
 * `options.defaults`, the module named by `WHARF_CONFIG`, the `.env` file and the
 * process environment (`WHARF_<PATH>` or a setting's alias such as `PORT`), then validate it.
 *
 * @throws ConfigError naming the key, the source, the bad value and what was expected.
 */
export async function loadConfig<A extends TObject | undefined = undefined>(
  options: LoadConfigOptions<A> = {},
): Promise<LoadedConfig<A>> {
  const schema = mergeSchemas(options.schema);
  const leaves = configLeaves(schema);
  assertDistinctEnvNames(leaves);
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();

  const envFile = readEnvFile(env, cwd);
  const layers = createLayers();
  if (options.defaults) {
    mergeObjectLayer(schema, layers, options.defaults as Record<string, unknown>, {
      kind: 'defaults',
    });
  }
  const modulePath = env.WHARF_CONFIG || envFile?.vars.WHARF_CONFIG;
  if (modulePath) {
    const file = resolve(cwd, modulePath);
    mergeObjectLayer(
      schema,
      layers,
      await loadConfigModule(file),
      { kind: 'module', file },
      { ignoreUnknownTopLevel: options.ignoreUnknownSettings === true },
    );
  }
  if (envFile) {
    mergeEnvLayer(layers, leaves, envFile.vars, (name, raw) => ({
      kind: 'envFile',
      file: envFile.file,
      name,
      raw,
    }));
  }
  mergeEnvLayer(layers, leaves, env, (name, raw) => ({ kind: 'env', name, raw }));

  fillGroups(schema, layers.value);
  const value = Value.Default(schema, layers.value) as Record<string, unknown>;
  const problems = [...layers.problems, ...findProblems(schema, value, layers.origins)];
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return value as LoadedConfig<A>;
}

/** Wharf's settings plus the application's, as one object schema. */
function mergeSchemas(app: TObject | undefined): BranchSchema {
  const core = CoreConfigSchema as unknown as BranchSchema;
  if (app === undefined) return core;
  const appSchema = app as unknown as BranchSchema;
  if (!isBranch(appSchema)) {
    throw new ConfigError(
      'Invalid configuration schema: options.schema must be a Type.Object of the application settings',
    );
  }
  for (const key of Object.keys(appSchema.properties)) {
    if (Object.hasOwn(core.properties, key)) {
      throw new ConfigError(
        `Invalid configuration schema: application setting "${key}" collides with Wharf's own "${key}"; rename it`,
      );
    }
  }
  return Type.Object({
    ...CoreConfigSchema.properties,
    ...app.properties,
  }) as unknown as BranchSchema;
}

/** Two settings read from one variable would silently share a value. */
function assertDistinctEnvNames(leaves: readonly ConfigLeaf[]): void {
  const owner = new Map<string, string>(
    RESERVED_ENV_NAMES.map((name) => [name, 'is reserved by the loader']),
  );
  for (const leaf of leaves) {
    for (const name of leaf.envNames) {
      const taken = owner.get(name);
      if (taken !== undefined) {
        throw new ConfigError(
          `Invalid configuration schema: ${leaf.key} would be set by ${name}, which ${taken}; rename it`,
        );
      }
      owner.set(name, `already sets ${leaf.key}`);
    }
  }
}
