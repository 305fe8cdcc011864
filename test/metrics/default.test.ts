import perfHooks from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createService } from 'wharf';
import { Registry } from 'wharf/metrics';
import { testService } from 'wharf/testing';
import { collectProcessMetrics } from '../../src/metrics/process.js';
import { sample, textOf } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('process metrics', () => {
  it('reports the process and event loop once the service is ready', async () => {
    const service = createService({ name: 'p', config: { log: { level: 'silent' } }, routes: [] });
    expect(await sample(service.metrics, 'process_cpu_user_seconds_total')).toBeUndefined();
    const t = await testService(service);
    const text = textOf(await t.request({ method: 'GET', url: '/metrics' }));
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    await t.close();
  });

  it('stops the event-loop monitor and the GC observer it started when the service stops', async () => {
    const monitors: ReturnType<typeof perfHooks.monitorEventLoopDelay>[] = [];
    const original = perfHooks.monitorEventLoopDelay;
    vi.spyOn(perfHooks, 'monitorEventLoopDelay').mockImplementation((options) => {
      const monitor = original(options);
      monitors.push(monitor);
      return monitor;
    });
    const disconnect = vi.spyOn(perfHooks.PerformanceObserver.prototype, 'disconnect');
    const t = await testService(
      createService({ name: 'p', config: { log: { level: 'silent' } }, routes: [] }),
    );
    expect(monitors).toHaveLength(1);
    await t.close();
    // disable() answers false when the monitor was already stopped.
    expect(monitors[0]?.disable()).toBe(false);
    expect(disconnect).toHaveBeenCalledTimes(1);
  });

  it('puts the factories of perf_hooks back as they were', () => {
    const { monitorEventLoopDelay, PerformanceObserver } = perfHooks;
    const stop = collectProcessMetrics(new Registry(), '');
    expect(perfHooks.monitorEventLoopDelay).toBe(monitorEventLoopDelay);
    expect(perfHooks.PerformanceObserver).toBe(PerformanceObserver);
    stop();
  });
});
