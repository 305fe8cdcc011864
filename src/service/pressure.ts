import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreConfig } from '../config/schema.js';
import { OverloadedError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { errorBody } from './envelope.js';

export type PressureConfig = CoreConfig['pressure'];

/** Which limit a shed request was refused for, as written in the warning line. */
export type PressureType = 'eventLoopDelay' | 'heapUsedBytes' | 'rssBytes' | 'eventLoopUtilization';

/** Route config of a request that is never shed (health probes, the metrics scrape). */
export const NEVER_SHED = { neverShed: true } as const;

/** True when at least one limit is set, so there is something to watch. */
export function pressureEnabled(settings: PressureConfig): boolean {
  return (
    settings.enabled &&
    (settings.maxEventLoopDelayMs > 0 ||
      settings.maxEventLoopUtilization > 0 ||
      settings.maxHeapUsedBytes > 0 ||
      settings.maxRssBytes > 0)
  );
}

/** Load shedding as the service runs it: sampling installed at start, a check per request. */
export interface Pressure {
  /** Register the sampler on `app` (before the routes). */
  install(app: FastifyInstance): Promise<void>;
  /**
   * Answer 503 OVERLOADED with Retry-After when a limit is exceeded and the route may be
   * shed; true when it answered, and the request must go no further.
   */
  shed(request: FastifyRequest, reply: FastifyReply): boolean;
}

interface Sample {
  eventLoopDelay: number;
  heapUsed: number;
  rssBytes: number;
  eventLoopUtilized: number;
}

/**
 * Shed load: @fastify/under-pressure samples the event loop and memory on a timer, and the
 * service's own first hook compares the last sample with the limits. The plugin is given
 * no limits, so it adds no hook of its own (each hook costs on every request) and never
 * reads the route options (Fastify builds that object on every read) unless a limit is
 * exceeded. A shed request gets 503 OVERLOADED with Retry-After, written here rather than
 * through the error handler, so an overloaded service writes no error line (and no stack)
 * per refused request; one warning per sample interval says why it sheds. It is shed
 * before any rate-limit lookup.
 */
export function createPressure(settings: PressureConfig, log: Logger): Pressure | undefined {
  if (!pressureEnabled(settings)) return undefined;
  const retryAfter = String(Math.ceil(settings.retryAfterMs / 1000));
  const payload = JSON.stringify(errorBody(new OverloadedError()));
  // @fastify/under-pressure's decoration, once registered.
  let sampler: { memoryUsage(): Sample } | undefined;
  let lastWarning = Number.NEGATIVE_INFINITY;
  // Start hooks may block the loop for seconds (migrations, an embedded database's first
  // start); the sample taken across that says nothing about load, so nothing is shed until
  // a sample taken wholly after the start exists: two intervals after Fastify is ready.
  let armedAt = Number.POSITIVE_INFINITY;

  const exceeded = (last: Sample): [PressureType, number] | undefined => {
    if (settings.maxEventLoopDelayMs > 0 && last.eventLoopDelay > settings.maxEventLoopDelayMs) {
      return ['eventLoopDelay', last.eventLoopDelay];
    }
    if (settings.maxHeapUsedBytes > 0 && last.heapUsed > settings.maxHeapUsedBytes) {
      return ['heapUsedBytes', last.heapUsed];
    }
    if (settings.maxRssBytes > 0 && last.rssBytes > settings.maxRssBytes) {
      return ['rssBytes', last.rssBytes];
    }
    const maxUtilization = settings.maxEventLoopUtilization;
    if (maxUtilization > 0 && last.eventLoopUtilized > maxUtilization) {
      return ['eventLoopUtilization', last.eventLoopUtilized];
    }
    return undefined;
  };

  return {
    async install(app) {
      app.addHook('onReady', (done) => {
        armedAt = Date.now() + 2 * settings.sampleIntervalMs;
        done();
      });
      await app.register(underPressure, {
        // The default, cumulative since start, would let hours of calm hide a saturated minute.
        eventLoopUtilizationMode: 'interval',
        sampleInterval: settings.sampleIntervalMs,
      });
      sampler = app as unknown as { memoryUsage(): Sample };
    },
    shed(request, reply) {
      const over = sampler && exceeded(sampler.memoryUsage());
      if (!over) return false;
      const now = Date.now();
      if (now < armedAt) return false;
      if ((request.routeOptions.config as { neverShed?: boolean }).neverShed) return false;
      if (now - lastWarning >= settings.sampleIntervalMs) {
        lastWarning = now;
        log.warn({ pressure: over[0], value: over[1] }, 'overloaded: shedding requests');
      }
      reply.code(503).header('retry-after', retryAfter).type('application/json; charset=utf-8');
      reply.send(payload);
      return true;
    },
  };
}
