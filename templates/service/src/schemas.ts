import type { Static } from 'wharf';
import { modelSchema } from 'wharf/db';
import { notes } from './models.js';

/** A note as the service answers it: every column, described from the model. */
export const Note = modelSchema(notes, { description: 'A note.' });
export type Note = Static<typeof Note>;

/** What a caller sends to create a note: `title` is required, `body` may be left out. */
export const NewNote = modelSchema(notes, {
  mode: 'insert',
  omit: ['created_at'],
  additionalProperties: false,
});
export type NewNote = Static<typeof NewNote>;

/** `/notes/:id`, and what creating a note answers. */
export const NoteId = modelSchema(notes, { pick: ['id'] });
export type NoteId = Static<typeof NoteId>;
