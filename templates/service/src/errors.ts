import { ServiceError } from 'wharf';

/** Codes callers of this service can branch on; the message is for people. */
export const NoteErrorCode = {
  notFound: 'NOTE_NOT_FOUND',
} as const;

export class NoteNotFoundError extends ServiceError {
  constructor(id: number) {
    super({
      status: 404,
      code: NoteErrorCode.notFound,
      message: `No note with id ${id}`,
      error: { id },
    });
  }
}
