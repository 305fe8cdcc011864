import { createLogger } from 'wharf';

export type Line = Record<string, unknown>;

/** A debug-level logger that keeps every line, parsed. */
export function captureLogger() {
  const lines: Line[] = [];
  const logger = createLogger({
    name: 'jobs',
    level: 'debug',
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
  });
  return { logger, lines };
}

/** Resolve once `check` holds, polling; reject after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
