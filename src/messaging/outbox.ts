import type { Database, Queryable } from '../db/types.js';

/**
 * The tables of the transactional outbox and of consumer-side deduplication, created on
 * start (`create table if not exists`) by `ensureMessagingTables`, or by a migration of
 * your own holding these statements.
 *
 * `outbox` holds messages written in an application transaction and not yet published;
 * `processed_messages` holds the ids of messages a consumer has processed (see
 * `recordProcessed`).
 */
export const MESSAGING_TABLES_SQL: readonly string[] = [
  `create table if not exists outbox (
  id bigserial primary key,
  message_id text not null,
  exchange text not null,
  routing_key text not null,
  body text not null,
  headers jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  last_error text
)`,
  `create table if not exists processed_messages (
  consumer text not null,
  message_id text not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, message_id)
)`,
];

/** Serialises table creation across instances starting together (PostgreSQL would race). */
const TABLES_LOCK = 7_143_020_519;

/** Create the `outbox` and `processed_messages` tables unless they exist. */
export async function ensureMessagingTables(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute`select pg_advisory_xact_lock(${TABLES_LOCK})`;
    for (const statement of MESSAGING_TABLES_SQL) await tx.execute(constantSql(statement));
  });
}

/** A template of constant text only (no values), for the fixed statements above. */
function constantSql(text: string): TemplateStringsArray {
  return Object.assign([text], { raw: [text] });
}

/** A message as the outbox stores it. */
export interface OutboxMessage {
  messageId: string;
  exchange: string;
  routingKey: string;
  /** The JSON body, as it will be published. */
  body: string;
  headers: Record<string, unknown>;
}

/** Add `message` to the outbox in the caller's transaction: it is published only if that commits. */
export async function writeOutbox(tx: Queryable, message: OutboxMessage): Promise<void> {
  // Bound as text, then cast: a parameter typed jsonb would make postgres.js encode the
  // JSON text once more, storing a JSON string instead of the object.
  await tx.execute`insert into outbox (message_id, exchange, routing_key, body, headers)
    values (${message.messageId}, ${message.exchange}, ${message.routingKey}, ${message.body},
            ${JSON.stringify(message.headers)}::text::jsonb)`;
}

/** One stored outbox row. */
export interface OutboxRow {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  body: string;
  headers: Record<string, unknown>;
}

/**
 * Record that `consumer` has processed `messageId`, inside the transaction that applies the
 * message's effects. Resolves to false when it was recorded before: the message is a
 * duplicate (a redelivery, or a second publish after a crash) and must be skipped. As the
 * record commits or rolls back with the effects, each message takes effect exactly once.
 *
 * ```ts
 * messaging.consume('billing.orders', (order, message) =>
 *   db.transaction(async (tx) => {
 *     if (!(await recordProcessed(tx, 'billing', message.messageId))) return;
 *     await tx.execute`insert into invoices (order_id) values (${order.id})`;
 *   }),
 * );
 * ```
 */
export async function recordProcessed(
  tx: Queryable,
  consumer: string,
  messageId: string,
): Promise<boolean> {
  const inserted = await tx.execute`insert into processed_messages (consumer, message_id)
    values (${consumer}, ${messageId}) on conflict do nothing`;
  return inserted === 1;
}

/**
 * Forget processed message ids older than `olderThanMs`; resolves to how many went. Keep
 * them longer than a message can take to come back (retries, redeliveries, outbox delays).
 */
export async function pruneProcessedMessages(db: Queryable, olderThanMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  return db.execute`delete from processed_messages where processed_at < ${cutoff}`;
}
