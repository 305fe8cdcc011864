import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, renderConfigDocs, route } from 'wharf';
import { resolveTracingConfig } from 'wharf/tracing';
import { tracedService } from './helpers.js';

// An empty working directory, so no stray .env takes part.
let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'wharf-otel-env-'));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const load = (env: Record<string, string>) => loadConfig({ env, cwd });

describe('OpenTelemetry environment variables', () => {
  it('set the tracing settings they correspond to', async () => {
    const config = await load({
      OTEL_SERVICE_NAME: 'geo',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://zipkin:9411/api/v2/spans',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_PROPAGATORS: 'b3, tracecontext',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_EXPORT_TIMEOUT: '2000',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
    });
    expect(config.tracing).toMatchObject({
      serviceName: 'geo',
      exporter: 'zipkin',
      zipkinUrl: 'http://zipkin:9411/api/v2/spans',
      sampler: 'traceidratio',
      sampleRatio: 0.25,
      propagators: ['b3', 'tracecontext'],
      scheduledDelayMs: 100,
      exportTimeoutMs: 2000,
      maxQueueSize: 100,
      maxExportBatchSize: 10,
    });
  });

  it('take the OTLP endpoints, the traces-specific one first', async () => {
    const base = await load({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(base.tracing).toMatchObject({ otlpEndpoint: 'http://collector:4318', otlpUrl: '' });
    const both = await load({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/v1/traces',
    });
    expect(both.tracing.otlpUrl).toBe('http://traces:4318/v1/traces');
  });

  it('lose to the WHARF_ variable of the same setting', async () => {
    const config = await load({
      OTEL_TRACES_EXPORTER: 'zipkin',
      WHARF_TRACING_EXPORTER: 'console',
    });
    expect(config.tracing.exporter).toBe('console');
  });

  it('reject a value OpenTelemetry allows but Wharf does not support, naming the variable', async () => {
    const error = await load({ OTEL_TRACES_EXPORTER: 'jaeger' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('tracing.exporter');
    expect((error as ConfigError).message).toContain('OTEL_TRACES_EXPORTER');
  });

  it('name the service in its spans', async () => {
    const config = await load({ OTEL_SERVICE_NAME: 'geo' });
    const ping = route({ method: 'GET', url: '/ping', name: 'ping', handler: () => 'pong' });
    const { t, spans } = await tracedService([ping], {
      config: { ...config, log: { level: 'silent' } },
    });
    await t.client.ping();
    const [span] = await spans();
    await t.close();
    expect(span?.resource.attributes['service.name']).toBe('geo');
  });

  it('are listed in the configuration reference', () => {
    const docs = renderConfigDocs();
    for (const name of [
      'OTEL_SERVICE_NAME',
      'OTEL_TRACES_EXPORTER',
      'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
      'OTEL_PROPAGATORS',
      'OTEL_BSP_SCHEDULE_DELAY',
      'OTEL_BSP_EXPORT_TIMEOUT',
      'OTEL_BSP_MAX_QUEUE_SIZE',
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    ]) {
      expect(docs).toContain(`\`${name}\``);
    }
  });
});

describe('tracing defaults', () => {
  it('are off, record every trace and read W3C and B3 headers', () => {
    expect(resolveTracingConfig()).toMatchObject({
      exporter: 'none',
      sampler: 'parentbased_traceidratio',
      sampleRatio: 1,
      propagators: ['tracecontext', 'baggage', 'b3multi'],
    });
  });
});
