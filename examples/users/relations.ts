import { type Logger, UpstreamError } from 'wharf';
import type { Clients } from 'wharf/client';
// Types only: the users service knows the other services by their routes, never their code.
import type { cityRoutes } from '../cities/routes.js';
import type { roleRoutes } from '../roles/routes.js';
import type { User, UserWithRelations } from './schemas.js';

/** Adds the user's city and role, read from the cities and roles services. */
export type EmbedRelations = (user: User, log: Pick<Logger, 'warn'>) => Promise<UserWithRelations>;

/**
 * Both calls go out at once, so a user costs the slower of the two upstreams, not their sum.
 *
 * A null `city_id` or `role_id` embeds null without a call. An id the upstream answers 404
 * for (the city or role was deleted since) also embeds null, with a warning: the user
 * itself is still there, and `city_id` set with `city` null tells the caller the reference
 * is stale. Any other failure fails the request with the client's envelope (502
 * UPSTREAM_ERROR, 503 UPSTREAM_UNAVAILABLE, 504 UPSTREAM_TIMEOUT): a null standing in for
 * an unreachable upstream would read as "no role" and be acted on, or cached, as such.
 */
export function embedRelations(clients: Clients): EmbedRelations {
  const cities = clients.get<typeof cityRoutes>('cities').routes({ getCity: 'GET /cities/:id' });
  const roles = clients.get<typeof roleRoutes>('roles').routes({ getRole: 'GET /roles/:id' });
  return async (user, log) => {
    const [city, role] = await Promise.all([
      related(user.city_id, (id) => cities.getCity({ params: { id } }), log),
      related(user.role_id, (id) => roles.getRole({ params: { id } }), log),
    ]);
    // Object.assign rather than a spread, which V8 runs several times slower.
    return Object.assign({}, user, { city, role });
  };
}

async function related<T>(
  id: number | null | undefined,
  fetch: (id: number) => Promise<T>,
  log: Pick<Logger, 'warn'>,
): Promise<T | null> {
  if (id === null || id === undefined) return null;
  try {
    return await fetch(id);
  } catch (err) {
    if (!(err instanceof UpstreamError) || err.upstreamStatus !== 404) throw err;
    log.warn(
      { upstream: err.upstream, id, code: err.upstreamCode },
      'user refers to a record its upstream no longer has; embedding null',
    );
    return null;
  }
}
