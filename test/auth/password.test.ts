import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_PASSWORD_BYTES, verifyPassword } from 'wharf/auth';

describe('password hashes', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('encodes the algorithm, its cost and a fresh salt in each hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('treats the same text in either Unicode normal form as the same password', async () => {
    const hash = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', hash)).toBe(true);
  });

  it('refuses a tampered or malformed hash instead of throwing', async () => {
    const hash = await hashPassword('secret');
    const parts = hash.split('$');
    const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    const tampered = [
      [...parts.slice(0, 5), flip(parts[5] as string)].join('$'),
      [...parts.slice(0, 4), flip(parts[4] as string), parts[5]].join('$'),
      hash.replace('scrypt$32768', 'scrypt$16384'),
      hash.replace('scrypt$', 'bcrypt$'),
      // Costs past the bounds would let a stored hash allocate gigabytes.
      hash.replace('scrypt$32768$8', 'scrypt$1048576$8'),
      hash.replace('$8$1$', '$64$1$'),
      hash.replace('scrypt$32768', 'scrypt$30000'),
      `${hash}$extra`,
      'scrypt$32768$8$1$$',
      'not a hash',
      '',
    ];
    for (const bad of tampered) expect(await verifyPassword('secret', bad)).toBe(false);
  });

  it('bounds the password length', async () => {
    const longest = 'x'.repeat(MAX_PASSWORD_BYTES);
    const hash = await hashPassword(longest);
    expect(await verifyPassword(longest, hash)).toBe(true);
    await expect(hashPassword(`${longest}x`)).rejects.toThrow(RangeError);
    // Counted in bytes: 342 three-byte characters are 1026 bytes.
    await expect(hashPassword('€'.repeat(342))).rejects.toThrow(RangeError);
    await expect(hashPassword('')).rejects.toThrow(RangeError);
    expect(await verifyPassword(`${longest}x`, hash)).toBe(false);
  });
});
