import { type Static, Type } from 'typebox';

/**
 * The `migrate` settings read by `wharf migrate` (config module key `migrate`, or
 * `WHARF_MIGRATE_DIR` / `WHARF_MIGRATE_MODELS`); the command-line flags win over them.
 */
export const MigrateSettingsSchema = Type.Object({
  migrate: Type.Object(
    {
      dir: Type.String({
        default: 'migrations',
        description: 'Folder of the NNNN_name.sql migrations, relative to the working directory.',
      }),
      models: Type.String({
        default: '',
        description:
          'Module exporting the Drizzle tables that `wharf migrate generate` compares with the last snapshot.',
      }),
    },
    { default: {} },
  ),
});

export type MigrateSettings = Static<typeof MigrateSettingsSchema>;
