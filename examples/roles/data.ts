import type { NewRole } from './schemas.js';

/** The roles every fresh instance starts with; ids follow this order, from 1. */
export const SEED_ROLES: readonly NewRole[] = [
  { name: 'admin', permissions: ['cities:*', 'roles:*', 'users:*'] },
  { name: 'editor', permissions: ['cities:read', 'cities:write', 'roles:read'] },
  { name: 'viewer', permissions: ['cities:read', 'roles:read'] },
];
