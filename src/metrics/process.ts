import perfHooks, { type IntervalHistogram, type PerformanceObserver } from 'node:perf_hooks';
import { collectDefaultMetrics, type Registry } from 'prom-client';

type PerfHooks = {
  monitorEventLoopDelay: typeof perfHooks.monitorEventLoopDelay;
  PerformanceObserver: typeof perfHooks.PerformanceObserver;
};

/**
 * prom-client's default metrics (CPU, memory, heap, handles, file descriptors, event-loop
 * lag, GC) in `registry`; resolves to the function that stops their background work.
 *
 * Most of them are read at scrape time, but two run in the background for as long as the
 * process lives: an event-loop delay monitor sampling every 10 ms and a GC observer, and
 * prom-client hands out neither. Each service has its own registry, so without a way to
 * stop them every service a process (or a test run) ever made would keep its pair. The
 * two factories are therefore wrapped for the duration of this synchronous call, which
 * records what they make so `stop` can disable and disconnect it.
 */
export function collectProcessMetrics(registry: Registry, prefix: string): () => void {
  const monitors: IntervalHistogram[] = [];
  const observers: PerformanceObserver[] = [];
  const hooks = perfHooks as unknown as PerfHooks;
  const { monitorEventLoopDelay, PerformanceObserver: Observer } = hooks;
  hooks.monitorEventLoopDelay = (options) => {
    const monitor = monitorEventLoopDelay(options);
    monitors.push(monitor);
    return monitor;
  };
  hooks.PerformanceObserver = class RecordedObserver extends Observer {
    constructor(callback: ConstructorParameters<typeof Observer>[0]) {
      super(callback);
      observers.push(this);
    }
  };
  try {
    collectDefaultMetrics({ register: registry, prefix });
  } finally {
    hooks.monitorEventLoopDelay = monitorEventLoopDelay;
    hooks.PerformanceObserver = Observer;
  }
  return () => {
    for (const monitor of monitors.splice(0)) monitor.disable();
    for (const observer of observers.splice(0)) observer.disconnect();
  };
}
