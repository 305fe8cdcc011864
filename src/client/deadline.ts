import { EventEmitter } from 'node:events';

/**
 * The time a call has, retries included, and what undici watches to abort it.
 *
 * undici accepts an EventEmitter with `aborted` and `reason` in place of an AbortSignal.
 * A call's deadline is one, because making an AbortController and having undici listen to
 * its signal cost several microseconds per attempt on Node 20 (EventTarget), more than
 * the rest of the call's bookkeeping; a real AbortSignal is made only for a retry's wait.
 */
export class Deadline extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  #expired = false;
  readonly #end: number;
  readonly #timer: NodeJS.Timeout;
  readonly #caller: AbortSignal | undefined;
  #onCallerAbort: (() => void) | undefined;
  #signal: AbortSignal | undefined;

  /** Starts counting now: `ms` from now it aborts, or earlier when `caller` aborts. */
  constructor(ms: number, caller?: AbortSignal) {
    super();
    this.#end = performance.now() + ms;
    // A static callback with arguments: no closure per call.
    this.#timer = setTimeout(Deadline.#expire, ms, this, ms);
    this.#caller = caller;
    if (!caller) return;
    if (caller.aborted) {
      this.abort(caller.reason);
    } else {
      this.#onCallerAbort = () => this.abort(caller.reason);
      caller.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
  }

  /** Whether the deadline passed (not the caller's abort). */
  expired(): boolean {
    return this.#expired;
  }

  remainingMs(): number {
    return this.#end - performance.now();
  }

  /** The caller's abort reason, when it aborted. */
  callerReason(): unknown {
    return this.#caller?.aborted ? this.#caller.reason : undefined;
  }

  /** The same abort as an AbortSignal, for APIs that need one (a retry's wait). */
  signal(): AbortSignal {
    if (!this.#signal) {
      const controller = new AbortController();
      if (this.aborted) controller.abort(this.reason);
      else this.once('abort', () => controller.abort(this.reason));
      this.#signal = controller.signal;
    }
    return this.#signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  /** The call ended: no timer or listener outlives it. */
  clear(): void {
    clearTimeout(this.#timer);
    if (this.#onCallerAbort) this.#caller?.removeEventListener('abort', this.#onCallerAbort);
  }

  static #expire(deadline: Deadline, ms: number): void {
    deadline.#expired = true;
    deadline.abort(new DOMException(`Deadline of ${ms} ms exceeded`, 'TimeoutError'));
  }
}
