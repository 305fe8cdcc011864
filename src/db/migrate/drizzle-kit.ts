import { createRequire } from 'node:module';

/** A drizzle-kit schema snapshot: the models as JSON, what the next diff starts from. */
export interface Snapshot {
  readonly id: string;
  readonly tables: Record<string, unknown>;
  readonly enums: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** The part of drizzle-kit's programmatic API that Wharf uses. */
export interface DrizzleKit {
  generateDrizzleJson(exports: Record<string, unknown>, prevId?: string): Snapshot;
  generateMigration(prev: Snapshot, cur: Snapshot): Promise<string[]>;
}

let loaded: DrizzleKit | undefined;

/**
 * drizzle-kit is large and only `migrate generate` needs it, so it loads on first use. The
 * CommonJS build is required: it loads several times faster than the ESM one under tsx.
 */
export function drizzleKit(): DrizzleKit {
  loaded ??= createRequire(import.meta.url)('drizzle-kit/api') as DrizzleKit;
  return loaded;
}
