import { createService, type RouteEntry, type ServiceOptions } from 'wharf';
import { MemoryStore } from '../shared/memory-store.js';
import { SEED_ROLES } from './data.js';
import { roleRoutes } from './routes.js';
import type { Role } from './schemas.js';

/** Port of the roles service in the example system. */
export const ROLES_PORT = 8082;
/** Most roles one instance keeps in memory. */
export const MAX_ROLES = 200;

export interface RolesServiceOptions
  extends Pick<ServiceOptions<readonly RouteEntry[]>, 'config' | 'logDestination' | 'tracing'> {
  /** Bound of the in-memory store, seed included. */
  maxRoles?: number;
}

/** A fresh roles service with its own store, seeded with admin, editor and viewer. */
export function createRolesService(options: RolesServiceOptions = {}) {
  const store = new MemoryStore<Role>(SEED_ROLES, options.maxRoles ?? MAX_ROLES);
  return createService({
    name: 'roles',
    version: '1.0.0',
    config: options.config,
    logDestination: options.logDestination,
    tracing: options.tracing,
    routes: [roleRoutes(store)],
  });
}
