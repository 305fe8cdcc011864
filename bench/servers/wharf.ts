// The cities example as it runs in production (runService, access log on), with log lines
// going to /dev/null so the terminal is not the bottleneck. Prints `READY <port>` once
// listening; SIGTERM stops it.
import { pino } from 'pino';
import { runService } from 'wharf';
import { createCitiesService } from '../../examples/cities/service.js';

const { url } = await runService(
  createCitiesService({
    config: { http: { host: '127.0.0.1', port: 0 } },
    logDestination: pino.destination({ dest: '/dev/null', sync: false }),
  }),
);
process.stdout.write(`READY ${new URL(url).port}\n`);
