import { describe, expect, it } from 'vitest';
import { DatabasePoolExhaustedError, DatabaseUnavailableError } from 'wharf';
import { Admission } from '../../src/db/admission.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Let pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('admission control', () => {
  it('runs at most `permits` tasks at once and starts waiters in arrival order', async () => {
    const admission = new Admission({ permits: 2, maxQueued: 10, timeoutMs: 5_000 });
    const started: number[] = [];
    const gates = [0, 1, 2, 3, 4].map(() => deferred());
    const runs = gates.map((gate, i) =>
      admission.run(async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(admission.inFlight).toBe(2);
    expect(admission.queued).toBe(3);

    gates[1]?.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const gate of gates) gate.resolve();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(admission.inFlight).toBe(0);
  });

  it('returns the permit when the task throws', async () => {
    const admission = new Admission({ permits: 1, maxQueued: 0, timeoutMs: 5_000 });
    await expect(admission.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(admission.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('refuses at once when the queue is full', async () => {
    const admission = new Admission({ permits: 1, maxQueued: 1, timeoutMs: 5_000 });
    const gate = deferred();
    const holder = admission.run(() => gate.promise);
    const waiter = admission.run(async () => 'served');
    const err = await admission.run(async () => 'never').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabasePoolExhaustedError);
    expect((err as DatabasePoolExhaustedError).error).toEqual({ reason: 'queue-full' });
    gate.resolve();
    await holder;
    await expect(waiter).resolves.toBe('served');
  });

  it('gives up on a waiter after timeoutMs and keeps serving the others', async () => {
    const admission = new Admission({ permits: 1, maxQueued: 10, timeoutMs: 30 });
    const gate = deferred();
    const holder = admission.run(() => gate.promise);
    const err = await admission.run(async () => 'late').catch((e: unknown) => e);
    expect((err as DatabasePoolExhaustedError).error).toEqual({ reason: 'timeout' });
    expect(admission.queued).toBe(0);
    gate.resolve();
    await holder;
    await expect(admission.run(async () => 'next')).resolves.toBe('next');
  });

  it('fails waiters and new work on close, and reports idle once holders finish', async () => {
    const admission = new Admission({ permits: 1, maxQueued: 10, timeoutMs: 5_000 });
    const gate = deferred();
    const holder = admission.run(() => gate.promise);
    const waiter = admission.run(async () => 'x').catch((e: unknown) => e);
    admission.close();
    expect(await waiter).toBeInstanceOf(DatabaseUnavailableError);
    await expect(admission.run(async () => 'y')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    let idle = false;
    const idled = admission.idle().then(() => {
      idle = true;
    });
    await settle();
    expect(idle).toBe(false);
    gate.resolve();
    await holder;
    await idled;
    expect(idle).toBe(true);
  });
});
