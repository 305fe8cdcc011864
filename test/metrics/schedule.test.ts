import { describe, expect, it } from 'vitest';
import { createService } from 'wharf';
import { createScheduler, useScheduler } from 'wharf/schedule';
import { testService } from 'wharf/testing';
import { eventually, sample } from './helpers.js';

describe('scheduler metrics through useScheduler', () => {
  it('counts runs and failures by job and records the last success', async () => {
    const service = createService({
      name: 'jobs',
      config: { log: { level: 'silent' } },
      routes: [],
    });
    const scheduler = createScheduler({ logger: service.log });
    scheduler.schedule('tidy', '* * * * * *', () => {});
    scheduler.schedule('broken', '* * * * * *', () => {
      throw new Error('no');
    });
    useScheduler(service, scheduler);
    const before = Date.now() / 1000;
    const t = await testService(service);

    const registry = service.metrics;
    const runs = (job: string) => sample(registry, 'schedule_job_runs_total', { job_name: job });
    await eventually(
      async () => ((await runs('tidy')) ?? 0) >= 1 && ((await runs('broken')) ?? 0) >= 1,
    );
    await t.close();

    expect(await sample(registry, 'schedule_job_failures_total', { job_name: 'broken' })).toBe(
      await runs('broken'),
    );
    expect(
      await sample(registry, 'schedule_job_failures_total', { job_name: 'tidy' }),
    ).toBeUndefined();
    const last = await sample(registry, 'schedule_job_last_success_timestamp_seconds', {
      job_name: 'tidy',
    });
    expect(last).toBeGreaterThanOrEqual(before);
    expect(
      await sample(registry, 'schedule_job_last_success_timestamp_seconds', { job_name: 'broken' }),
    ).toBeUndefined();
  });
});
