// The cities example as it runs in production (runService), configured by BENCH_PROFILE
// (see wharf-profile.ts), log lines going to /dev/null so the terminal is not the
// bottleneck. Prints `READY <port>` once listening; SIGTERM stops it.
import { logDestination, runService } from 'wharf';
import { createCitiesService } from '../../examples/cities/service.js';
import { benchProfile, profileConfig } from './wharf-profile.js';

const { url } = await runService(
  createCitiesService({
    config: { ...profileConfig(benchProfile()), http: { host: '127.0.0.1', port: 0 } },
    logDestination: logDestination('/dev/null', { batchBytes: 4096 }),
  }),
);
process.stdout.write(`READY ${new URL(url).port}\n`);
