/**
 * Remembers the ids of the last `capacity` messages a handler completed, in memory, so a
 * redelivered or twice-published message runs once. It guards one process's recent
 * history only (a restart forgets it); for effects in a database use `recordProcessed` in
 * the same transaction instead.
 *
 * ```ts
 * const seen = new MessageDeduplicator();
 * messaging.consume('mail.welcome', (user, message) =>
 *   seen.once(message.messageId, () => sendWelcomeMail(user)),
 * );
 * ```
 */
export class MessageDeduplicator {
  readonly capacity: number;
  /** Completed ids, oldest first (a Map keeps insertion order). */
  readonly #done = new Map<string, true>();
  readonly #running = new Map<string, Promise<void>>();

  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('MessageDeduplicator capacity must be a positive integer');
    }
    this.capacity = capacity;
  }

  /** Whether `messageId` completed before (and is still remembered). */
  has(messageId: string): boolean {
    return this.#done.has(messageId);
  }

  /**
   * Run `fn` unless `messageId` completed before; resolves to whether it ran. A duplicate
   * arriving while the first is still running waits for it, and runs only if it failed.
   * A failure is not remembered, so the retry runs.
   */
  async once(messageId: string, fn: () => Promise<unknown> | unknown): Promise<boolean> {
    for (;;) {
      if (this.#done.has(messageId)) {
        // Refresh: a recently seen id is the likeliest to come again.
        this.#done.delete(messageId);
        this.#done.set(messageId, true);
        return false;
      }
      const running = this.#running.get(messageId);
      if (!running) break;
      await running.catch(() => {});
    }
    const run = Promise.resolve()
      .then(fn)
      .then(() => {});
    this.#running.set(messageId, run);
    try {
      await run;
      this.#remember(messageId);
      return true;
    } finally {
      this.#running.delete(messageId);
    }
  }

  #remember(messageId: string): void {
    this.#done.set(messageId, true);
    while (this.#done.size > this.capacity) {
      const oldest = this.#done.keys().next().value as string;
      this.#done.delete(oldest);
    }
  }
}
