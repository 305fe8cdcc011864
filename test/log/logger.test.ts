import { describe, expect, it } from 'vitest';
import { createLogger } from 'wharf';

function capture(level: 'info' | 'warn') {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'cities',
    level,
    destination: { write: (chunk: string) => void lines.push(chunk) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON line with the service name, a level label and an ISO time', () => {
    const { logger, lines } = capture('info');
    logger.info({ city: 'Lyon' }, 'loaded');

    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const line = JSON.parse(lines[0] ?? '');
    expect(line).toMatchObject({ level: 'info', service: 'cities', city: 'Lyon', msg: 'loaded' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');

    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['loud']);
  });
});
