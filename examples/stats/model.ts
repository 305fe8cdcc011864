import { integer, jsonb, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { described } from 'wharf/db';

/**
 * The stats service's tables, fed by the users service's `user.created` events and by its
 * scheduled summary job. `wharf migrate generate` writes ./migrations from this module.
 */

export const cityUserCounts = pgTable('city_user_counts', {
  city_id: described(
    integer('city_id').primaryKey(),
    'Id of the city in the cities service; 0 counts users whose city is unknown.',
  ),
  users: described(integer('users').notNull(), 'Users created with this city so far.'),
});

export const userSummaries = pgTable('user_summaries', {
  id: described(
    integer('id').primaryKey().generatedAlwaysAsIdentity(),
    'Identifier given by the service.',
  ),
  taken_at: described(
    timestamp('taken_at', { withTimezone: true }).notNull(),
    'The scheduled minute this summary was taken for (ISO 8601, UTC).',
  ),
  total_users: described(integer('total_users').notNull(), 'Users counted over every city.'),
  cities: described(
    jsonb('cities').notNull(),
    'Users per city at that time: an object from city id to count.',
  ),
});
