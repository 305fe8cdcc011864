import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../src/client/deadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('a call deadline', () => {
  it('aborts when its time is up, with a TimeoutError, and says it expired', () => {
    vi.useFakeTimers();
    const deadline = new Deadline(100);
    const heard = vi.fn();
    deadline.once('abort', heard);
    vi.advanceTimersByTime(99);
    expect(deadline.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(heard).toHaveBeenCalledOnce();
    expect(deadline.aborted).toBe(true);
    expect(deadline.expired()).toBe(true);
    expect(deadline.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts with the caller’s reason when the caller aborts first, without expiring', () => {
    const caller = new AbortController();
    const deadline = new Deadline(10_000, caller.signal);
    caller.abort(new Error('gave up'));
    expect(deadline.aborted).toBe(true);
    expect(deadline.expired()).toBe(false);
    expect(deadline.reason).toEqual(new Error('gave up'));
    expect(deadline.callerReason()).toEqual(new Error('gave up'));
    deadline.clear();
  });

  it('starts aborted when the caller already aborted', () => {
    const deadline = new Deadline(10_000, AbortSignal.abort('before'));
    expect(deadline.aborted).toBe(true);
    expect(deadline.reason).toBe('before');
    deadline.clear();
  });

  it('gives an AbortSignal that follows it, made before or after the abort', () => {
    const caller = new AbortController();
    const deadline = new Deadline(10_000, caller.signal);
    const early = deadline.signal();
    expect(early.aborted).toBe(false);
    caller.abort('stop');
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe('stop');
    expect(deadline.signal()).toBe(early);
    const late = new Deadline(10_000, AbortSignal.abort('done')).signal();
    expect(late.reason).toBe('done');
  });

  it('once cleared, neither its timer nor the caller aborts it', () => {
    vi.useFakeTimers();
    const caller = new AbortController();
    const deadline = new Deadline(100, caller.signal);
    deadline.clear();
    vi.advanceTimersByTime(1_000);
    caller.abort('late');
    expect(deadline.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
