import { group, route, Type } from 'wharf';
import type { Database } from 'wharf/db';
import { NoteNotFoundError } from './errors.js';
import { findNote, insertNote, listNotes } from './queries.js';
import { NewNote, Note, NoteId } from './schemas.js';

/** The `/notes` routes, reading and writing `db`. */
export function noteRoutes(db: Database, pageSize: number) {
  return group({ prefix: '/notes', tags: ['notes'] }, [
    route({
      method: 'GET',
      url: '/',
      name: 'listNotes',
      summary: 'List the newest notes',
      description: `The ${pageSize} newest notes, newest first.`,
      response: Type.Array(Note),
      handler: () => listNotes(db, pageSize),
    }),
    route({
      method: 'GET',
      url: '/:id',
      name: 'getNote',
      summary: 'Get a note by id',
      description: 'Answers 404 with code NOTE_NOT_FOUND when no note has this id.',
      params: NoteId,
      response: Note,
      handler: async ({ params }) => {
        const note = await findNote(db, params.id);
        if (!note) throw new NoteNotFoundError(params.id);
        return note;
      },
    }),
    route({
      method: 'POST',
      url: '/',
      name: 'createNote',
      summary: 'Create a note',
      description: 'Stores the note and answers 201 with its id.',
      status: 201,
      body: NewNote,
      response: NoteId,
      handler: ({ body }) => insertNote(db, body),
    }),
  ]);
}
