import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import type { TracingConfig } from './config.js';

/** A trace header format of `tracing.propagators` (`OTEL_PROPAGATORS`). */
export type PropagatorName = TracingConfig['propagators'][number];

/**
 * The trace headers `names` list, read from requests and written on outgoing calls.
 *
 * Every listed format is written. When a request carries several, the first listed that
 * holds a valid parent wins, so a stale header added by a proxy cannot override the
 * preferred one. Either B3 entry reads both B3 forms (`b3` and `X-B3-*`); they differ in
 * what is written. `none` adds nothing, as in OpenTelemetry.
 */
export function createPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const chosen = [...new Set(names)].filter((name) => name !== 'none');
  return new OrderedPropagator(chosen.map(formatFor));
}

/** A propagator and the request headers its extraction reads. */
interface Format {
  readonly propagator: TextMapPropagator;
  readonly reads: readonly string[];
}

/** Every header either B3 form is read from; a B3 propagator's `fields()` lists one form. */
const B3_HEADERS = ['b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags'];

function formatFor(name: Exclude<PropagatorName, 'none'>): Format {
  const propagator = propagatorFor(name);
  const isB3 = name === 'b3' || name === 'b3multi';
  return { propagator, reads: isB3 ? B3_HEADERS : propagator.fields() };
}

function propagatorFor(name: Exclude<PropagatorName, 'none'>): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
  }
}

class OrderedPropagator implements TextMapPropagator {
  readonly #formats: readonly Format[];
  readonly #fields: string[];

  constructor(formats: readonly Format[]) {
    this.#formats = formats;
    this.#fields = [...new Set(formats.flatMap((f) => f.propagator.fields()))];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const { propagator } of this.#formats) {
      try {
        propagator.inject(context, carrier, setter);
      } catch {
        // A header that cannot be written must not fail the call that carries it.
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    // Each extraction overwrites the parent found before it: going from the last listed
    // to the first leaves the first listed format that holds a parent in place.
    let extracted = context;
    for (let i = this.#formats.length - 1; i >= 0; i--) {
      const { propagator, reads } = this.#formats[i] as Format;
      // Most requests carry no trace headers at all, and looking a few up is far cheaper
      // than an extraction that finds nothing.
      if (!carriesAny(carrier, getter, reads)) continue;
      try {
        extracted = propagator.extract(extracted, carrier, getter);
      } catch {
        // A malformed header means no parent, never a failed request.
      }
    }
    return extracted;
  }

  fields(): string[] {
    return [...this.#fields];
  }
}

function carriesAny(carrier: unknown, getter: TextMapGetter, fields: readonly string[]): boolean {
  for (const field of fields) if (getter.get(carrier, field) !== undefined) return true;
  return false;
}
