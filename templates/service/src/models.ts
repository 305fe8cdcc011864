import { integer, pgTable, text, timestamp, varchar } from 'drizzle-orm/pg-core';
import { described } from 'wharf/db';

/**
 * The service's tables. `npm run migrate:generate -- <name>` writes the next migration
 * from what changed here, and schemas.ts derives the API's schemas from these columns,
 * so each column and its description are declared once.
 */
export const notes = pgTable('notes', {
  id: described(
    integer('id').primaryKey().generatedAlwaysAsIdentity(),
    'Identifier given by the service.',
  ),
  title: described(varchar('title', { length: 200 }).notNull(), 'Title, at most 200 characters.'),
  body: described(text('body').notNull().default(''), 'Text of the note; empty unless given.'),
  created_at: described(
    timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    'When the note was created (ISO 8601, UTC); set by the database.',
  ),
});
