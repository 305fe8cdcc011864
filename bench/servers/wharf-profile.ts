// How a Wharf server of the benchmark is configured, from BENCH_PROFILE:
// - `lean`: the envelope and validation only (no access log, no tracing, no metrics);
// - `full`: production defaults (access log to /dev/null, metrics on) plus tracing every
//   request, its spans exported in batches as JSON lines to /dev/null;
// - `default` (unset): production defaults, tracing off.
import type { CoreConfig, DeepPartial } from 'wharf';

export type Profile = 'lean' | 'full' | 'default';

export function benchProfile(env = process.env): Profile {
  const profile = env.BENCH_PROFILE ?? 'default';
  if (profile === 'lean' || profile === 'full' || profile === 'default') return profile;
  throw new Error(`BENCH_PROFILE must be lean, full or default, got "${profile}"`);
}

export function profileConfig(profile: Profile): DeepPartial<CoreConfig> {
  switch (profile) {
    case 'lean':
      return {
        log: { accessLog: false },
        metrics: { enabled: false },
        tracing: { exporter: 'none' },
      };
    case 'full':
      return { tracing: { exporter: 'console', file: '/dev/null', sampler: 'always_on' } };
    default:
      return {};
  }
}
