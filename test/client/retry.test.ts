import { describe, expect, it } from 'vitest';
import { backoffDelay, IDEMPOTENT_METHODS, retryAfterMs } from 'wharf/client';

describe('retry timing', () => {
  it('doubles the ceiling of each backoff and draws the wait below it', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, 10_000, () => 0.999))).toEqual([
      99, 199, 399, 799,
    ]);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0);
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelay(20, 100, 2_000, () => 0.999)).toBe(1_998);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Mon, 31 Dec 2029 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    // Date.parse would read these as dates long past, and so as "retry at once".
    for (const loose of ['-1', '1.5', '+5', '1 2'])
      expect(retryAfterMs(loose, now)).toBeUndefined();
    expect(retryAfterMs('Tuesday, 01-Jan-30 00:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Tue Jan  1 00:00:05 2030', now)).toBe(5_000);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('treats GET, HEAD, PUT, DELETE and OPTIONS as idempotent, POST and PATCH not', () => {
    expect([...IDEMPOTENT_METHODS].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT']);
  });
});
