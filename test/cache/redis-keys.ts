import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Key prefixes of one test file on a shared Redis: each `uniquePrefix()` is used by no
 * other test or run, and `cleanup()` deletes every key under them and disconnects.
 */
export function redisKeyspace(url: string, area: string) {
  const admin = new Redis(url);
  const prefixes: string[] = [];
  return {
    admin,
    uniquePrefix(): string {
      const prefix = `wharf-test:${area}:${randomUUID()}:`;
      prefixes.push(prefix);
      return prefix;
    },
    async cleanup(): Promise<void> {
      for (const prefix of prefixes) {
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length > 0) await admin.del(...keys);
      }
      await admin.quit();
    },
  };
}
