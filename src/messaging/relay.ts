import { sql } from '../db/sql.js';
import type { Database } from '../db/types.js';
import { messageOf } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { OutboxRow } from './outbox.js';

export interface RelayOptions {
  db: Database;
  /** Publish one row and wait for the broker's confirm. */
  publish: (row: OutboxRow) => Promise<void>;
  /** False while the broker is unreachable: the round is skipped rather than holding rows. */
  ready: () => boolean;
  intervalMs: number;
  batchSize: number;
  log: Logger;
}

/**
 * Publishes committed outbox rows. Each round locks up to `batchSize` of the oldest rows
 * (`for update skip locked`, so instances share the work instead of publishing the same
 * rows), publishes them, and deletes those the broker confirmed, in one transaction. A
 * crash after a publish and before the commit leaves the row for the next round: the
 * message is published again with the same id, which consumers deduplicate.
 */
export class OutboxRelay {
  readonly #options: RelayOptions;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<number> = Promise.resolve(0);
  #running = false;

  constructor(options: RelayOptions) {
    this.#options = options;
  }

  /** Publish what is waiting now (rows left by a crash included), then poll. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stop polling and wait for the round under way. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round.catch(() => {});
  }

  /** Run rounds until the outbox is empty (or a round fails); resolves to the messages published. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.#next();
      total += published;
      if (published < this.#options.batchSize) return total;
    }
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#next().then(
        (published) =>
          this.#schedule(published >= this.#options.batchSize ? 0 : this.#options.intervalMs),
        (err) => {
          this.#options.log.warn({ err }, 'outbox relay round failed; trying again later');
          this.#schedule(this.#options.intervalMs);
        },
      );
    }, delayMs);
  }

  /** Rounds never overlap within one process. */
  #next(): Promise<number> {
    const round = this.#round.catch(() => 0).then(() => this.#runRound());
    this.#round = round;
    return round;
  }

  async #runRound(): Promise<number> {
    const { db, publish, batchSize, log } = this.#options;
    if (!this.#options.ready()) return 0;
    return db.transaction(async (tx) => {
      const rows = await tx.fetch<OutboxRow & Record<string, unknown>>`
        select id, message_id, exchange, routing_key, body, headers from outbox
        order by id limit ${batchSize} for update skip locked`;
      if (rows.length === 0) return 0;
      const outcomes = await Promise.allSettled(rows.map((row) => publish(row)));
      const sent: string[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        const row = rows[i] as OutboxRow;
        if (outcome.status === 'fulfilled') {
          sent.push(row.id);
          continue;
        }
        const error = messageOf(outcome.reason);
        log.warn(
          { err: outcome.reason, message_id: row.message_id },
          'outbox message not published yet',
        );
        await tx.execute`update outbox set attempts = attempts + 1, last_error = ${error}
          where id = ${row.id}`;
      }
      if (sent.length > 0) await tx.execute`delete from outbox where id in (${sql.join(sent)})`;
      return sent.length;
    });
  }
}
