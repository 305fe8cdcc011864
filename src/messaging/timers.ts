/** A timer that can be cut short: `wake()` resolves the wait at once. */
export interface Pause {
  readonly done: Promise<void>;
  wake(): void;
}

/** Wait `ms`; `wake()` ends the wait early (used so that stop never waits out a backoff). */
export function pause(ms: number): Pause {
  let wake = () => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

/**
 * `promise`, or the error `onTimeout()` makes once `ms` passed first. The late outcome of
 * `promise` is ignored.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
