import type { Registry } from 'wharf';

/** The value of the series `name{labels}` in the registry's text, or undefined. */
export async function sample(
  registry: Registry | undefined,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  if (!registry) throw new Error('the service collects no metrics');
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of (await registry.metrics()).split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((pair) => present.includes(pair)) && present.length === wanted.length) {
      return Number(match[3]);
    }
  }
  return undefined;
}

/** Lines of the text exposition that are series of `name` (its `_bucket`, `_sum`, `_count` included). */
export function seriesOf(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}_`) || line.startsWith(`${name}{`));
}

/** Resolve once `check` resolves true, polling; reject after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The body of a text answer. */
export function textOf(res: { body: unknown }): string {
  if (typeof res.body !== 'string') throw new Error('expected a text answer');
  return res.body;
}
