// How a Wharf server of the benchmark is configured, from BENCH_PROFILE:
// - `lean`: the envelope and validation only (no access log, tracing, metrics, security
//   headers or load shedding);
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

export function profileConfig(profile: Profile, env = process.env): DeepPartial<CoreConfig> {
  const extra = JSON.parse(env.BENCH_CONFIG || '{}') as Record<string, object>;
  const base = baseConfig(profile) as Record<string, object>;
  for (const [group, values] of Object.entries(extra)) base[group] = { ...base[group], ...values };
  return base as DeepPartial<CoreConfig>;
}

function baseConfig(profile: Profile): DeepPartial<CoreConfig> {
  switch (profile) {
    case 'lean':
      return {
        log: { accessLog: false },
        metrics: { enabled: false },
        tracing: { exporter: 'none' },
        securityHeaders: { enabled: false },
        pressure: { enabled: false },
      };
    case 'full':
      return { tracing: { exporter: 'console', file: '/dev/null', sampler: 'always_on' } };
    default:
      return {};
  }
}
