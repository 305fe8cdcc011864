/**
 * The entry module `wharf start`, `wharf dev`, `wharf routes` and `wharf openapi` load.
 * It only builds the app: the wharf command decides what runs.
 */
import { readConfig } from './config.js';
import { createApp } from './service.js';

export default async () => createApp({ config: await readConfig() });
