import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreConfig } from '../config/schema.js';
import { OverloadedError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { errorBody } from './envelope.js';

export type PressureConfig = CoreConfig['pressure'];

/** True when at least one limit is set, so the plugin has something to watch. */
export function pressureEnabled(settings: PressureConfig): boolean {
  return (
    settings.enabled &&
    (settings.maxEventLoopDelayMs > 0 ||
      settings.maxEventLoopUtilization > 0 ||
      settings.maxHeapUsedBytes > 0 ||
      settings.maxRssBytes > 0)
  );
}

/**
 * Shed load with @fastify/under-pressure: it samples the event loop and memory on a timer
 * and, per request, only compares the last sample with the limits. A shed request gets
 * 503 OVERLOADED with Retry-After, written here rather than through the error handler, so
 * an overloaded service writes no error line (and no stack) per refused request; one
 * warning per sample interval says why it sheds.
 */
export async function installPressure(
  app: FastifyInstance,
  settings: PressureConfig,
  log: Logger,
): Promise<void> {
  if (!pressureEnabled(settings)) return;
  const retryAfter = String(Math.ceil(settings.retryAfterMs / 1000));
  const payload = JSON.stringify(errorBody(new OverloadedError()));
  let lastWarning = Number.NEGATIVE_INFINITY;
  // Start hooks may block the loop for seconds (migrations, an embedded database's first
  // start); the sample taken across that says nothing about load, so nothing is shed until
  // a sample taken wholly after the start exists: two intervals after Fastify is ready.
  let armedAt = Number.POSITIVE_INFINITY;
  app.addHook('onReady', (done) => {
    armedAt = Date.now() + 2 * settings.sampleIntervalMs;
    done();
  });
  await app.register(underPressure, {
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    maxEventLoopUtilization: settings.maxEventLoopUtilization,
    // The default, cumulative since start, would let hours of calm hide a saturated minute.
    eventLoopUtilizationMode: 'interval',
    maxHeapUsedBytes: settings.maxHeapUsedBytes,
    maxRssBytes: settings.maxRssBytes,
    sampleInterval: settings.sampleIntervalMs,
    pressureHandler: (_request: FastifyRequest, reply: FastifyReply, type, value) => {
      const now = Date.now();
      if (now < armedAt) return undefined;
      if (now - lastWarning >= settings.sampleIntervalMs) {
        lastWarning = now;
        log.warn({ pressure: type, value }, 'overloaded: shedding requests');
      }
      reply.code(503).header('retry-after', retryAfter).type('application/json; charset=utf-8');
      // The plugin sends a returned value as the reply and stops the request there (its
      // types admit only void, hence the cast); returning nothing would let it through.
      return payload as unknown as undefined;
    },
  });
}

/** Route config of a request that is never shed (health probes): the handler lets it through. */
export const NEVER_SHED = { pressureHandler: () => undefined };
