import { ErrorCode, MigrationError } from '../../errors/index.js';
import type { Queryable } from '../types.js';
import type { MigrationFile } from './files.js';
import { splitStatements } from './split.js';

/**
 * The query helpers take tagged templates only, so that values are always bound. A
 * migration is trusted SQL text from the service's own repository with nothing to bind:
 * present it as a template of one literal part, which sends it verbatim.
 */
function verbatim(text: string): TemplateStringsArray {
  return Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray;
}

/**
 * Run one side of a migration, statement by statement, on `tx`. A failure becomes a
 * MigrationError naming the file and the statement; the caller's transaction rolls back.
 */
export async function runMigrationSql(
  tx: Queryable,
  migration: MigrationFile,
  direction: 'up' | 'down',
): Promise<void> {
  const text = direction === 'up' ? migration.up : (migration.down ?? '');
  for (const statement of splitStatements(text)) {
    try {
      await tx.execute(verbatim(statement));
    } catch (error) {
      const what = direction === 'up' ? 'Migration' : 'Rollback of migration';
      throw new MigrationError(
        ErrorCode.migrationFailed,
        `${what} ${migration.file} failed at "${firstLine(statement)}": ${reason(error)}; none of it was applied`,
        { file: migration.file, cause: error },
      );
    }
  }
}

function firstLine(statement: string): string {
  const line = statement.split('\n', 1)[0] ?? '';
  return line.length > 80 || statement.includes('\n') ? `${line.slice(0, 80)}…` : line;
}

/** The server's own words: Wharf wraps SQL errors for callers, the original is the innermost cause. */
function reason(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (!(current instanceof Error)) return String(current);
  const code = (current as { code?: unknown }).code;
  return typeof code === 'string' ? `${current.message} (SQLSTATE ${code})` : current.message;
}
