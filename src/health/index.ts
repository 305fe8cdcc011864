import { Type } from 'typebox';
import { messageOf, ServiceUnavailableError } from '../errors/index.js';
import { group, type RoutesOf, route } from '../service/route.js';

/** A readiness check: resolves when the dependency is usable, throws otherwise. */
export type HealthCheck = () => Promise<unknown> | unknown;

/** The outcome of one readiness check, as readiness reports it. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why the check failed: the thrown error's message, or the timeout. */
  error?: string;
}

/** The readiness state of a service: its checks and whether shutdown has begun. */
export interface Health {
  /**
   * Add a readiness check (a database ping, a broker connection …); registering a name
   * again replaces its check.
   */
  register(name: string, check: HealthCheck): void;
  /** Readiness answers 503 from now on (shutdown has begun). */
  markStopping(): void;
  /** True once `markStopping()` was called. */
  readonly stopping: boolean;
  /** Run every check, each bounded by the check timeout. */
  check(): Promise<{ ready: boolean; checks: CheckResult[] }>;
}

/** Readiness state with no checks; `createService` makes one per service as `service.health`. */
export function createHealth(options: { checkTimeoutMs: number }): Health {
  const checks = new Map<string, HealthCheck>();
  let stopping = false;
  return {
    register(name, check) {
      checks.set(name, check);
    },
    markStopping() {
      stopping = true;
    },
    get stopping() {
      return stopping;
    },
    async check() {
      const results = await Promise.all(
        [...checks].map(([name, fn]) => runCheck(name, fn, options.checkTimeoutMs)),
      );
      return { ready: !stopping && results.every((r) => r.ok), checks: results };
    },
  };
}

async function runCheck(name: string, fn: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: messageOf(err) };
  } finally {
    clearTimeout(timer);
  }
}

const CheckSchema = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
});

/** `GET /health/live` and `GET /health/ready` as ordinary Wharf routes. */
export function healthRoutes(health: Health) {
  return group({ prefix: '/health', tags: ['health'] }, [
    route({
      method: 'GET',
      url: '/live',
      name: 'healthLive',
      summary: 'Liveness: the process is up and serving',
      response: Type.Object({ status: Type.Literal('ok') }),
      handler: () => ({ status: 'ok' as const }),
    }),
    route({
      method: 'GET',
      url: '/ready',
      name: 'healthReady',
      summary: 'Readiness: every dependency check passes and the service is not stopping',
      description: 'Answers 503 with the failing checks while stopping or when a check fails.',
      response: Type.Object({ status: Type.Literal('ready'), checks: Type.Array(CheckSchema) }),
      handler: async () => {
        const { ready, checks } = await health.check();
        if (!ready) {
          const reason = health.stopping ? 'Service is stopping' : 'A readiness check failed';
          throw new ServiceUnavailableError(reason, { stopping: health.stopping, checks });
        }
        return { status: 'ready' as const, checks };
      },
    }),
  ]);
}

/** The health routes' types, so the test client offers `healthLive()` and `healthReady()`. */
export type HealthRoutes = RoutesOf<[ReturnType<typeof healthRoutes>]>;
