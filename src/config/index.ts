export { type DeepPartial, resolveCoreConfig } from './defaults.js';
export { renderConfigDocs } from './docs.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './load.js';
export { type CoreConfig, CoreConfigSchema } from './schema.js';
