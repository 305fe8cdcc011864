import type { Dispatcher } from 'undici';
import { observeClients } from '../metrics/client.js';
import { type MetricsSource, metricsOf } from '../metrics/service.js';
import type { Service } from '../service/index.js';
import type { BreakerState } from './breaker.js';
import { type CallListener, type ClientOptions, createClient, type HttpClient } from './client.js';
import { type ClientConfigSource, missingUpstreamUrl, resolveUpstream } from './settings.js';

export interface ClientsOptions extends Pick<ClientOptions, 'sleep' | 'random' | 'now' | 'onCall'> {
  /** Send every client's calls through this dispatcher (tests: a MockAgent); never closed here. */
  dispatcher?: Dispatcher;
  /** Base URL for a name the configuration does not list; without it such a name throws. */
  fallbackUrl?: (name: string) => string;
}

/**
 * The clients of a service's upstreams, made from its configuration: the service takes
 * this as a dependency, so tests hand it clients over a mock (`mockUpstreams().clients()`).
 */
export interface Clients {
  /**
   * The client of upstream `name` (`client.upstreams.<name>`), created on first use and
   * shared afterwards. `T` types its `routes()`: `clients.get<typeof cityRoutes>('cities')`.
   */
  get<T = never>(name: string): HttpClient<T>;
  /** Close every client made here. */
  close(): Promise<void>;
  /**
   * Tell `listener` about every call of every client made here, retries included
   * (metrics); resolves to the function that removes it. Optional for stand-ins.
   */
  onCall?(listener: CallListener): () => void;
  /** The circuit breaker state of each client made so far, by upstream name (metrics). */
  circuits?(): Map<string, BreakerState>;
}

export function createClients(
  config: ClientConfigSource = {},
  options: ClientsOptions = {},
): Clients {
  const made = new Map<string, HttpClient<unknown>>();
  const listeners = new Set<CallListener>();
  if (options.onCall) listeners.add(options.onCall);
  const onCall: CallListener = (call) => {
    for (const listener of listeners) listener(call);
  };
  return {
    get<T = never>(name: string): HttpClient<T> {
      let client = made.get(name);
      if (!client) {
        const { url } = resolveUpstream(config, name);
        const baseUrl = url ?? options.fallbackUrl?.(name);
        if (baseUrl === undefined) throw missingUpstreamUrl(name);
        const { fallbackUrl: _, ...shared } = options;
        client = createClient({ ...shared, name, baseUrl, config, onCall });
        made.set(name, client);
      }
      return client as HttpClient<T>;
    },
    async close() {
      const clients = [...made.values()];
      made.clear();
      await Promise.all(clients.map((client) => client.close()));
    },
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    circuits() {
      return new Map([...made].map(([name, client]) => [name, client.circuit]));
    },
  };
}

/**
 * Close the clients with the service, after it stopped taking requests and in-flight ones
 * finished. Upstreams are deliberately not readiness checks: one slow upstream would take
 * every service that calls it out of its load balancer. When the service collects
 * metrics, the calls and breaker states are among them (`http_client_*`).
 */
export function useClients<
  C extends Pick<Clients, 'close'> & Partial<Pick<Clients, 'onCall' | 'circuits'>>,
>(service: Pick<Service, 'onStop'> & MetricsSource, clients: C): C {
  const metrics = metricsOf(service);
  if (metrics) observeClients(metrics, clients);
  service.onStop(() => clients.close());
  return clients;
}
