import { SEED_CITIES } from '../examples/cities/data.js';

/** The request every run sends. */
export const TARGET_PATH = '/cities/1';

/** What both servers must answer to it, byte for byte. */
export const EXPECTED_BODY = JSON.stringify({
  code: 0,
  message: 'ok',
  data: { id: 1, ...SEED_CITIES[0] },
});
