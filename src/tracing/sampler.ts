import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from './config.js';

/**
 * The sampler `tracing.sampler` names, with OpenTelemetry's meaning of each name
 * (`OTEL_TRACES_SAMPLER`): `parentbased_*` follows a caller's sampled flag and decides
 * by the rest of the name for new traces; `traceidratio` keeps `sampleRatio` of them,
 * chosen by trace id so every service of a trace makes the same choice.
 */
export function createSampler(config: Pick<TracingConfig, 'sampler' | 'sampleRatio'>): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.sampleRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) });
  }
}
