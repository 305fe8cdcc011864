import type { Database } from 'wharf/db';
import type { NewNote, Note } from './schemas.js';

/** A row as the database answers it: timestamps come back as Dates. */
type NoteRow = Omit<Note, 'created_at'> & { created_at: Date };

/** JSON carries the creation time as an ISO 8601 string, as the Note schema says. */
function toNote(row: NoteRow): Note {
  return { ...row, created_at: row.created_at.toISOString() };
}

export async function insertNote(db: Database, note: NewNote): Promise<{ id: number }> {
  // `?? ''`: a body left out is stored empty (wharf/db refuses undefined values).
  const id = await db.fetchval<number>`
    insert into notes (title, body) values (${note.title}, ${note.body ?? ''}) returning id`;
  if (id === null) throw new Error('insert into notes returned no id');
  return { id };
}

export async function findNote(db: Database, id: number): Promise<Note | null> {
  const row = await db.fetchrow<NoteRow>`select * from notes where id = ${id}`;
  return row && toNote(row);
}

/** The newest notes first, at most `limit`. */
export async function listNotes(db: Database, limit: number): Promise<Note[]> {
  const rows = await db.fetch<NoteRow>`select * from notes order by id desc limit ${limit}`;
  return rows.map(toNote);
}

/** Delete the notes created before `before`; resolves to how many went. */
export function purgeNotes(db: Database, before: Date): Promise<number> {
  return db.execute`delete from notes where created_at < ${before}`;
}
