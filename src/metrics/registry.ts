import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';

/** What every Wharf instrument needs: where it registers and how it names its metrics. */
export interface MetricsContext {
  readonly registry: Registry;
  /** Put before every metric name (`metrics.prefix`). */
  readonly prefix: string;
  /** Upper bounds in seconds of the duration histograms (`metrics.buckets`). */
  readonly buckets: readonly number[];
}

/** Label values of one series. */
export type Labels = Record<string, string>;

/** The current values of some series, read when the registry is scraped. */
export type Reading = () => Iterable<readonly [Labels, number]>;

/**
 * A gauge whose series are read from their sources at scrape time instead of being set
 * on every change: the pool state and breaker state cost nothing between scrapes. Several
 * sources (two databases, many upstreams) share the gauge and differ by labels.
 */
export class SampledGauge extends Gauge<string> {
  readonly #readings = new Set<Reading>();

  /** Read `reading` on every scrape until the returned function is called. */
  add(reading: Reading): () => void {
    this.#readings.add(reading);
    return () => this.#readings.delete(reading);
  }

  override async get() {
    // Series of a source that went away must not linger with their last value.
    this.reset();
    for (const reading of this.#readings) {
      for (const [labels, value] of reading()) this.set(labels, value);
    }
    return super.get();
  }
}

interface Spec {
  name: string;
  help: string;
  labelNames: readonly string[];
}

/**
 * The registry's metric `name`, made on first use. Two databases (or two messaging
 * instances) of one service share one metric and differ by a label; a registry refuses
 * a second metric of the same name.
 */
function shared<M extends Metric<string>>(
  ctx: MetricsContext,
  name: string,
  kind: abstract new (...args: never[]) => M,
  create: (fullName: string) => M,
): M {
  const fullName = ctx.prefix + name;
  const existing = ctx.registry.getSingleMetric(fullName);
  if (existing instanceof kind) return existing;
  if (existing) throw new Error(`Metric ${fullName} is already registered with another type`);
  return create(fullName);
}

export function counter(ctx: MetricsContext, spec: Spec): Counter<string> {
  return shared(ctx, spec.name, Counter, (name) => new Counter({ ...common(ctx, spec), name }));
}

export function histogram(ctx: MetricsContext, spec: Spec): Histogram<string> {
  return shared(
    ctx,
    spec.name,
    Histogram,
    (name) => new Histogram({ ...common(ctx, spec), name, buckets: [...ctx.buckets] }),
  );
}

export function gauge(ctx: MetricsContext, spec: Spec): Gauge<string> {
  return shared(ctx, spec.name, Gauge, (name) => new Gauge({ ...common(ctx, spec), name }));
}

export function sampledGauge(ctx: MetricsContext, spec: Spec): SampledGauge {
  return shared(
    ctx,
    spec.name,
    SampledGauge,
    (name) => new SampledGauge({ ...common(ctx, spec), name }),
  );
}

function common(ctx: MetricsContext, spec: Spec) {
  return { help: spec.help, labelNames: [...spec.labelNames], registers: [ctx.registry] };
}

/** Ascending and without repeats, as Prometheus expects bucket bounds. */
export function normalBuckets(buckets: readonly number[]): number[] {
  return [...new Set(buckets)].sort((a, b) => a - b);
}
