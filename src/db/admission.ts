import { DatabasePoolExhaustedError, DatabaseUnavailableError } from '../errors/index.js';

export interface AdmissionOptions {
  /** Work items allowed at once (the pool size). */
  permits: number;
  /** Callers allowed to wait; one more is refused at once. */
  maxQueued: number;
  /** Longest wait for a permit. */
  timeoutMs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  prev: Waiter | undefined;
  next: Waiter | undefined;
}

/**
 * Bounds the database work in flight to the pool size. Callers past that wait in a FIFO
 * doubly linked list, so enqueueing, handing over and timing out are all O(1) however
 * long the queue is; the driver itself then never has to queue.
 */
export class Admission {
  readonly #options: AdmissionOptions;
  #free: number;
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  #queued = 0;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: AdmissionOptions) {
    this.#options = options;
    this.#free = options.permits;
  }

  /** Permits in use right now. */
  get inFlight(): number {
    return this.#options.permits - this.#free;
  }

  /** Callers waiting right now. */
  get queued(): number {
    return this.#queued;
  }

  /** Run `fn` holding a permit; the permit is returned however `fn` settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw closedError();
    if (this.#free > 0 && this.#queued === 0) this.#free--;
    else await this.#wait();
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  /** Refuse new work and fail every waiter; holders finish normally. */
  close(): void {
    this.#closed = true;
    for (let w = this.#head; w; w = w.next) {
      clearTimeout(w.timer);
      w.reject(closedError());
    }
    this.#head = this.#tail = undefined;
    this.#queued = 0;
  }

  /** Resolves once no permit is held. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #wait(): Promise<void> {
    if (this.#queued >= this.#options.maxQueued) {
      return Promise.reject(new DatabasePoolExhaustedError('queue-full'));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        prev: this.#tail,
        next: undefined,
        timer: setTimeout(() => {
          this.#unlink(waiter);
          reject(new DatabasePoolExhaustedError('timeout'));
        }, this.#options.timeoutMs),
      };
      if (this.#tail) this.#tail.next = waiter;
      else this.#head = waiter;
      this.#tail = waiter;
      this.#queued++;
    });
  }

  #release(): void {
    const next = this.#head;
    if (!next) {
      this.#free++;
      if (this.#free === this.#options.permits && this.#idleWaiters.length > 0) {
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
      }
      return;
    }
    // Hand the permit straight to the oldest waiter so nobody can overtake it.
    this.#unlink(next);
    clearTimeout(next.timer);
    next.resolve();
  }

  #unlink(w: Waiter): void {
    if (w.prev) w.prev.next = w.next;
    else this.#head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.#tail = w.prev;
    w.prev = w.next = undefined;
    this.#queued--;
  }
}

function closedError(): DatabaseUnavailableError {
  return new DatabaseUnavailableError('Database is closed');
}
