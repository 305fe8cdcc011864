import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes with scrypt, encoded as `scrypt$N$r$p$salt$hash` (salt and hash in
 * base64url), so the cost can be raised later without breaking stored hashes.
 */

/** Longest accepted password in UTF-8 bytes; longer input is refused before any hashing. */
export const MAX_PASSWORD_BYTES = 1024;

// OWASP's scrypt baseline (N=2^17 would be stronger but costs 128 MiB per hash in flight).
const COST = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;

// What a stored hash may ask for: a tampered hash must not make a login allocate gigabytes.
const LIMITS = { N: [2 ** 10, 2 ** 16], r: [1, 8], p: [1, 4], salt: [8, 64], hash: [16, 64] };

/** Hash a password for storage: a fresh random salt every time. */
export async function hashPassword(password: string): Promise<string> {
  if (!acceptable(password)) {
    throw new RangeError(`A password must be 1 to ${MAX_PASSWORD_BYTES} bytes long`);
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, COST);
  return [
    'scrypt',
    COST.N,
    COST.r,
    COST.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/**
 * Whether `password` matches a hash from `hashPassword`. A malformed or out-of-bounds hash
 * and an over-long password are simply no match; the comparison takes constant time.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (!acceptable(password)) return false;
  const parsed = parse(encoded);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(actual, parsed.hash);
}

interface Parsed {
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

function parse(encoded: string): Parsed | undefined {
  if (typeof encoded !== 'string') return undefined;
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,7}$/.test(part) ? Number(part) : 0));
  const salt = fromBase64url(parts[4]);
  const hash = fromBase64url(parts[5]);
  if (N === undefined || r === undefined || p === undefined || !salt || !hash) return undefined;
  const ok =
    (N & (N - 1)) === 0 &&
    within(N, LIMITS.N) &&
    within(r, LIMITS.r) &&
    within(p, LIMITS.p) &&
    within(salt.length, LIMITS.salt) &&
    within(hash.length, LIMITS.hash);
  return ok ? { cost: { N, r, p }, salt, hash } : undefined;
}

function fromBase64url(text: string | undefined): Buffer | undefined {
  return text !== undefined && /^[A-Za-z0-9_-]+$/.test(text)
    ? Buffer.from(text, 'base64url')
    : undefined;
}

function within(value: number, [min, max]: number[]): boolean {
  return value >= (min ?? 0) && value <= (max ?? 0);
}

function acceptable(password: string): boolean {
  return (
    typeof password === 'string' &&
    password.length > 0 &&
    // Every UTF-16 unit is at least one UTF-8 byte: a long string is refused without a scan.
    password.length <= MAX_PASSWORD_BYTES &&
    Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES
  );
}

function derive(
  password: string,
  salt: Buffer,
  length: number,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is too low for N=2^15, r=8.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}
