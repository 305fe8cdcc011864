import { describe, expect, it } from 'vitest';
import { Header } from 'wharf/messaging';
import { attemptsOf } from '../../src/messaging/headers.js';

const attempts = (value: unknown) => attemptsOf({ [Header.attempts]: value });

describe('the attempt count a message carries', () => {
  it('is a whole number of failed runs, as a number or as digits', () => {
    expect(attemptsOf({})).toBe(0);
    expect(attempts(2)).toBe(2);
    expect(attempts('3')).toBe(3);
  });

  it('counts as none when the header holds anything else', () => {
    for (const odd of [true, [3], '0x2', '1e2', ' 2', -1, 1.5, 1e300, null, {}]) {
      expect(attempts(odd)).toBe(0);
    }
  });
});
