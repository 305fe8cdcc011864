/**
 * Regenerate docs/configuration.md from Wharf's configuration schema.
 * Run with `npm run docs:config`; test/config/docs.test.ts fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from 'wharf';

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
writeFileSync(target, renderConfigDocs());
console.log(`Wrote ${target}`);
