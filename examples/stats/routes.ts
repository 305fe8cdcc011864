import { group, route } from 'wharf';
import type { Database } from 'wharf/db';
import { cityCounts, latestSummary } from './queries.js';
import { CityCounts, Summary } from './schemas.js';

/** The `/stats` routes: what the consumer and the summary job have recorded. */
export function statsRoutes(db: Database) {
  return group({ prefix: '/stats', tags: ['stats'] }, [
    route({
      method: 'GET',
      url: '/cities',
      name: 'listCityCounts',
      summary: 'Users created per city',
      description: 'Counted from the `user.created` events of the users service, in city order.',
      response: CityCounts,
      handler: () => cityCounts(db),
    }),
    route({
      method: 'GET',
      url: '/summary',
      name: 'getLatestSummary',
      summary: 'The latest summary',
      description: 'Written every minute by the `users-summary` job; null before the first.',
      response: Summary,
      handler: () => latestSummary(db),
    }),
  ]);
}
