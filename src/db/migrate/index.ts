export { DOWN_MARKER, type MigrationFile, readMigrations } from './files.js';
export {
  type GeneratedMigration,
  type GenerateMigrationOptions,
  generateMigration,
  SNAPSHOT_DIR,
} from './generate.js';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.js';
export type { MigrationRecord } from './record.js';
export { type RollbackOptions, type RollbackResult, rollback } from './rollback.js';
export {
  type MigrationState,
  type MigrationStatus,
  type MigrationStatusOptions,
  migrationStatus,
} from './status.js';
export type { MigrationRef } from './types.js';
