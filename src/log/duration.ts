/** Milliseconds rounded to two decimals: precise enough to read, short enough to scan. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
