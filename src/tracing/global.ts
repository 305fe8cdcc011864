import {
  type Context,
  context,
  createContextKey,
  ProxyTracerProvider,
  propagation,
  type Span,
  type SpanOptions,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * One service's tracing as seen by the global OpenTelemetry API: where its spans go and
 * which headers it reads and writes.
 */
export interface Registration {
  readonly provider: TracerProvider;
  readonly propagator: TextMapPropagator;
}

/** Marks the router across copies of this module (a build and its sources). */
const ROUTER_BRAND = Symbol.for('wharf.tracing.router');
/** The registration whose provider takes the spans started in a context. */
const REGISTRATION_KEY = createContextKey('wharf.tracing.registration');

/** A context in which spans started through the global API go to `registration`. */
export function routeTo(ctx: Context, registration: Registration): Context {
  return ctx.setValue(REGISTRATION_KEY, registration);
}

/**
 * Make the global API (`trace`, `propagation`, `context`) serve `registration`.
 *
 * `@opentelemetry/api` holds one provider, one propagator and one context manager per
 * process, but one process may run several services (the example system runs two), each
 * with its own service name and exporter. So the first registration installs a router as
 * the global provider and propagator: a span started through the API (database queries,
 * service clients, `logged()`) goes to the service whose request the active context
 * belongs to (see `routeTo`; a service also runs its start and stop hooks, and so its
 * scheduler's timers and its consumers, in such a context), else to the earliest
 * registration still active. The context manager is AsyncLocalStorage-based, so the
 * context follows every `await`.
 *
 * Returns false, and registers nothing, when another OpenTelemetry SDK already owns the
 * global provider; it is left alone.
 */
export function registerGlobally(registration: Registration): boolean {
  const current = globalRouter();
  if (current) {
    current.add(registration);
    return true;
  }
  const router = new Router();
  if (!trace.setGlobalTracerProvider(router)) return false;
  const manager = new AsyncLocalStorageContextManager().enable();
  router.ownsContext = context.setGlobalContextManager(manager);
  if (!router.ownsContext) manager.disable();
  router.ownsPropagation = propagation.setGlobalPropagator(router);
  router.add(registration);
  return true;
}

/**
 * Stop routing spans to `registration`; the last one out restores the API's no-op
 * defaults, so a process (or a test file) can create and shut down tracing repeatedly.
 */
export function unregisterGlobally(registration: Registration): void {
  const router = globalRouter();
  if (!router?.remove(registration) || router.size > 0) return;
  trace.disable();
  if (router.ownsPropagation) propagation.disable();
  if (router.ownsContext) context.disable();
}

function globalRouter(): Router | undefined {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return (delegate as Partial<Router>)[ROUTER_BRAND] === true ? (delegate as Router) : undefined;
}

/** Spans started with no registration to take them still carry their parent along. */
const NOOP_TRACER = new ProxyTracerProvider().getTracer('wharf');

class Router implements TracerProvider, TextMapPropagator {
  readonly [ROUTER_BRAND] = true;
  ownsContext = false;
  ownsPropagation = false;
  readonly #registrations: Registration[] = [];
  readonly #tracers = new Map<string, RoutingTracer>();

  get size(): number {
    return this.#registrations.length;
  }

  add(registration: Registration): void {
    if (!this.#registrations.includes(registration)) this.#registrations.push(registration);
  }

  remove(registration: Registration): boolean {
    const index = this.#registrations.indexOf(registration);
    if (index < 0) return false;
    this.#registrations.splice(index, 1);
    return true;
  }

  /** The registration serving `ctx`. */
  pick(ctx: Context): Registration | undefined {
    const routed = ctx.getValue(REGISTRATION_KEY) as Registration | undefined;
    if (routed && this.#registrations.includes(routed)) return routed;
    return this.#registrations[0];
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    // The API asks for a tracer per span in code that looks the provider up each time.
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (!tracer) {
      tracer = new RoutingTracer(this, name, version, options);
      this.#tracers.set(key, tracer);
    }
    return tracer;
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.pick(ctx)?.propagator.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const registration = this.pick(ctx);
    return registration ? registration.propagator.extract(ctx, carrier, getter) : ctx;
  }

  fields(): string[] {
    return this.#registrations[0]?.propagator.fields() ?? [];
  }
}

/** A tracer that picks its provider per span, from the context the span starts in. */
class RoutingTracer implements Tracer {
  readonly #router: Router;
  readonly #name: string;
  readonly #version: string | undefined;
  readonly #options: TracerOptions | undefined;
  readonly #tracers = new WeakMap<Registration, Tracer>();

  constructor(router: Router, name: string, version?: string, options?: TracerOptions) {
    this.#router = router;
    this.#name = name;
    this.#version = version;
    this.#options = options;
  }

  startSpan(name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    return this.#tracerFor(ctx).startSpan(name, options, ctx);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan(name: string, ...rest: unknown[]): unknown {
    const ctx = rest.length >= 3 ? (rest[1] as Context) : context.active();
    const tracer = this.#tracerFor(ctx) as unknown as {
      startActiveSpan(name: string, ...args: unknown[]): unknown;
    };
    return tracer.startActiveSpan(name, ...rest);
  }

  #tracerFor(ctx: Context): Tracer {
    const registration = this.#router.pick(ctx);
    if (!registration) return NOOP_TRACER;
    let tracer = this.#tracers.get(registration);
    if (!tracer) {
      tracer = registration.provider.getTracer(this.#name, this.#version, this.#options);
      this.#tracers.set(registration, tracer);
    }
    return tracer;
  }
}
