// GET /hello on Wharf: the smallest service, a route answering {hello: 'world'} (in
// Wharf's envelope), configured by BENCH_PROFILE (see wharf-profile.ts), log lines going
// to /dev/null. Prints `READY <port>` once listening; SIGTERM stops it.
import { createService, logDestination, route, runService, Type } from 'wharf';
import { benchProfile, profileConfig } from './wharf-profile.js';

const Hello = Type.Object({ hello: Type.String() });

const service = createService({
  name: 'hello',
  version: '1.0.0',
  config: { ...profileConfig(benchProfile()), http: { host: '127.0.0.1', port: 0 } },
  logDestination: logDestination('/dev/null', { batchBytes: 4096 }),
  routes: [
    route({
      method: 'GET',
      url: '/hello',
      name: 'hello',
      summary: 'Say hello',
      response: Hello,
      handler: () => ({ hello: 'world' }),
    }),
  ],
});

const { url } = await runService(service);
process.stdout.write(`READY ${new URL(url).port}\n`);
