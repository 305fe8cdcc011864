// The part of autocannon's API the benchmark uses; the package ships no types.
declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }

  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    /** Sent with every request. */
    body?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    pipelining?: number;
    timeout?: number;
  }

  export interface Result {
    requests: Histogram;
    /** Milliseconds. */
    latency: Histogram;
    throughput: Histogram;
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  /** What `autocannon(options)` returns: the result, and events while it runs. */
  interface Instance extends PromiseLike<Result> {
    /** Once per second: the requests answered in that second. */
    on(event: 'tick', listener: (tick: { counter: number; bytes: number }) => void): this;
  }

  function autocannon(options: Options): Instance;
  export default autocannon;
}
