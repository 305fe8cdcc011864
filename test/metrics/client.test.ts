import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createService } from 'wharf';
import { createClients, useClients } from 'wharf/client';
import { sample } from './helpers.js';

const agents: MockAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

function setup() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  let clock = 0;
  const service = createService({
    name: 'trips',
    config: { log: { level: 'silent' } },
    routes: [],
  });
  const clients = useClients(
    service,
    createClients(
      { client: { upstreams: { cities: { url: 'http://cities', breakerThreshold: 1 } } } },
      { dispatcher: agent, now: () => clock, sleep: async () => {} },
    ),
  );
  const cities = agent.get('http://cities');
  return { service, clients, cities, tick: (ms: number) => (clock += ms) };
}

describe('client metrics through useClients', () => {
  it('counts calls by upstream, method and outcome', async () => {
    const { service, clients, cities } = setup();
    cities.intercept({ path: '/cities/1', method: 'GET' }).reply(200, { id: 1 });
    cities.intercept({ path: '/cities/2', method: 'GET' }).reply(404, { code: 'NOT_FOUND' });
    cities.intercept({ path: '/cities', method: 'POST' }).reply(500, { code: 'DOWN' });
    const client = clients.get('cities');
    await client.get('/cities/1');
    await expect(client.get('/cities/2')).rejects.toThrow();
    await expect(client.post('/cities', { body: {} })).rejects.toThrow();
    await expect(client.get('/cities/1')).rejects.toThrow('circuit is open');

    const calls = (method: string, outcome: string) =>
      sample(service.metrics, 'http_client_calls_total', { upstream: 'cities', method, outcome });
    expect(await calls('GET', '2xx')).toBe(1);
    expect(await calls('GET', '4xx')).toBe(1);
    expect(await calls('POST', '5xx')).toBe(1);
    expect(await calls('GET', 'circuit_open')).toBe(1);
  });

  it('reports each upstream’s breaker state: 0 closed, 1 half-open, 2 open', async () => {
    const { service, clients, cities, tick } = setup();
    const state = () =>
      sample(service.metrics, 'http_client_circuit_state', { upstream: 'cities' });
    expect(await state()).toBeUndefined();
    cities.intercept({ path: '/a', method: 'POST' }).reply(200, {});
    cities.intercept({ path: '/b', method: 'POST' }).reply(503, {});
    const client = clients.get('cities');
    await client.post('/a');
    expect(await state()).toBe(0);
    await expect(client.post('/b')).rejects.toThrow();
    expect(await state()).toBe(2);
    tick(client.settings.breakerCoolDownMs);
    expect(await state()).toBe(1);
  });
});
