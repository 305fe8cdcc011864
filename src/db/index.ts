export type { DbConfig } from './config.js';
export { createDatabase, type DatabaseOptions } from './database.js';
export type { DbLogger } from './driver.js';
export * from './migrate/index.js';
export { type MigrateSettings, MigrateSettingsSchema } from './migrate/settings.js';
export {
  type ColumnKey,
  type ColumnValueSchema,
  described,
  descriptionOf,
  type ModelMode,
  type ModelProperties,
  type ModelSchema,
  type ModelSchemaOptions,
  modelSchema,
} from './model.js';
export { databaseHealthCheck, type UseDatabaseOptions, useDatabase } from './service.js';
export { ident, SqlFragment, sql } from './sql.js';
export { TRACER_NAME } from './tracing.js';
export type {
  Database,
  Engine,
  PoolState,
  Queryable,
  QueryListener,
  Row,
  SqlQuery,
  Transaction,
} from './types.js';
