/**
 * A circuit breaker per upstream, written for Wharf rather than taken from a library: it is
 * a few dozen lines, its rules (what counts as a failure, one probe at a time) are Wharf's
 * own, and its clock is injectable so tests drive it without waiting.
 *
 * closed ──threshold consecutive failures──▶ open ──coolDownMs──▶ half-open
 *    ▲                                         ▲                      │ one probe call
 *    └────────────── probe succeeded ──────────┼──── probe failed ────┘
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit; 0 never opens it. */
  threshold: number;
  /** How long the circuit stays open before one probe call may go through. */
  coolDownMs: number;
  /** Clock in milliseconds; `Date.now` unless given (tests pass a fake one). */
  now?: () => number;
}

/** Leave to make one call; settle it exactly once (later settles are ignored). */
export interface BreakerPermit {
  /** The upstream answered (any status below 500). */
  succeed(): void;
  /** A connection error, a timeout or a 5xx. */
  fail(): void;
  /** The call ended without telling anything about the upstream (e.g. the caller gave up). */
  release(): void;
}

export interface CircuitBreaker {
  readonly state: BreakerState;
  /** A permit for one call, or undefined when the circuit refuses calls right now. */
  acquire(): BreakerPermit | undefined;
}

export function createBreaker(options: BreakerOptions): CircuitBreaker {
  const now = options.now ?? Date.now;
  let failures = 0;
  let openedAt: number | undefined;
  let probing = false;

  const state = (): BreakerState => {
    if (openedAt === undefined) return 'closed';
    return now() - openedAt >= options.coolDownMs ? 'half-open' : 'open';
  };

  const permit = (probe: boolean): BreakerPermit => {
    let settled = false;
    const settle = (fn: () => void) => () => {
      if (settled) return;
      settled = true;
      if (probe) probing = false;
      fn();
    };
    return {
      succeed: settle(() => {
        failures = 0;
        // A call let in before the circuit opened says nothing about now; only the probe closes it.
        if (probe) openedAt = undefined;
      }),
      fail: settle(() => {
        if (probe) {
          openedAt = now();
          return;
        }
        if (openedAt !== undefined) return;
        failures += 1;
        if (options.threshold > 0 && failures >= options.threshold) openedAt = now();
      }),
      release: settle(() => {}),
    };
  };

  return {
    get state() {
      return state();
    },
    acquire() {
      if (options.threshold <= 0) return permit(false);
      const current = state();
      if (current === 'closed') return permit(false);
      if (current === 'open' || probing) return undefined;
      probing = true;
      return permit(true);
    },
  };
}
