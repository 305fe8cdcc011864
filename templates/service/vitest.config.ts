import { defineConfig } from 'vitest/config';

// The "source" condition loads Wharf from its TypeScript sources, as `wharf start` does,
// while it is installed from a local checkout (see README.md).
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
