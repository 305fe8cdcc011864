/**
 * Wait before reconnection attempt `attempt` (1, 2 …): `baseMs` doubling per attempt, capped
 * at `maxMs`, then spread over its upper half so services that lost the same broker do not
 * all come back in the same instant. Never above `maxMs`.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
