import type { BreakerState } from '../client/breaker.js';
import type { Clients } from '../client/clients.js';
import { counter, type MetricsContext, sampledGauge } from './registry.js';

/** `http_client_circuit_state`'s values: the further from 0, the fewer calls go through. */
export const CIRCUIT_STATE_VALUES: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/**
 * `http_client_calls_total` by upstream, method and outcome, and
 * `http_client_circuit_state` per upstream (read at scrape time), for the clients made by
 * `clients`. Resolves to the function that stops observing them.
 */
export function observeClients(
  ctx: MetricsContext,
  clients: Partial<Pick<Clients, 'onCall' | 'circuits'>>,
): () => void {
  const stops: (() => void)[] = [];
  if (clients.onCall) {
    const calls = counter(ctx, {
      name: 'http_client_calls_total',
      help: 'Calls to upstream services, retries included in one call, by upstream, method and outcome (status class, timeout, unavailable, circuit_open, error).',
      labelNames: ['upstream', 'method', 'outcome'],
    });
    stops.push(
      clients.onCall(({ upstream, method, outcome }) => calls.inc({ upstream, method, outcome })),
    );
  }
  const { circuits } = clients;
  if (circuits) {
    const state = sampledGauge(ctx, {
      name: 'http_client_circuit_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open (one probe may go), 2 open (calls refused).',
      labelNames: ['upstream'],
    });
    stops.push(
      state.add(() =>
        [...circuits.call(clients)].map(
          ([upstream, current]) => [{ upstream }, CIRCUIT_STATE_VALUES[current]] as const,
        ),
      ),
    );
  }
  return () => {
    for (const stop of stops) stop();
  };
}
