import { type LoadedConfig, loadConfig, Type } from 'wharf';

/**
 * This service's own settings, next to Wharf's (http, log, db …). Each can be set in the
 * config module named by WHARF_CONFIG, in .env, or by its variable: `pageSize` is
 * WHARF_PAGE_SIZE, `retentionDays` is WHARF_RETENTION_DAYS.
 */
export const Settings = Type.Object({
  pageSize: Type.Integer({
    default: 20,
    minimum: 1,
    maximum: 100,
    description: 'Notes per page of GET /notes.',
  }),
  retentionDays: Type.Integer({
    default: 30,
    minimum: 1,
    description: 'Notes older than this are deleted by the nightly purge-old-notes job.',
  }),
});

export type Config = LoadedConfig<typeof Settings>;

/** The whole configuration, checked: a wrong value stops the service with one clear line. */
export function readConfig(options: Parameters<typeof loadConfig>[0] = {}): Promise<Config> {
  return loadConfig({ ...options, schema: Settings });
}
