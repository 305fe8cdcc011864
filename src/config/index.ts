export { type DeepPartial, resolveCoreConfig } from './defaults.js';
export { type CoreConfig, CoreConfigSchema } from './schema.js';
