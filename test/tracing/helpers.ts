import type { DeepPartial } from 'wharf';
import { type CoreConfig, createService, type RouteEntry } from 'wharf';
import { testService } from 'wharf/testing';
import { InMemorySpanExporter, type ReadableSpan } from 'wharf/tracing';

export type Line = Record<string, unknown>;

/** A log destination that keeps every line, parsed. */
export function captureLog() {
  const lines: Line[] = [];
  return {
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
    lines,
  };
}

export interface TracedOptions {
  config?: DeepPartial<CoreConfig>;
  logDestination?: { write(chunk: string): void };
  name?: string;
}

/** A started service whose spans go to memory, and a way to read them. */
export async function tracedService<const E extends readonly RouteEntry[]>(
  routes: E,
  options: TracedOptions = {},
) {
  const exporter = new InMemorySpanExporter();
  const service = createService({
    name: options.name ?? 'cities',
    version: '1.2.3',
    config: { log: { level: 'silent' }, ...options.config },
    logDestination: options.logDestination,
    routes,
    tracing: { exporter },
  });
  const t = await testService(service);
  return {
    t,
    service,
    exporter,
    /** Every span ended so far, in the order they ended. */
    async spans(): Promise<ReadableSpan[]> {
      // onResponse (which ends the request span) runs after the reply reached the client.
      await new Promise((resolve) => setImmediate(resolve));
      await service.tracing?.forceFlush();
      return exporter.getFinishedSpans();
    },
  };
}

export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((s) => s.name === name);
  if (!span) throw new Error(`No span "${name}" among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const PARENT_ID = '00f067aa0ba902b7';
