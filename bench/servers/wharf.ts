// The cities example as it runs in production (runService, access log on), with log lines
// going to /dev/null so the terminal is not the bottleneck. With BENCH_TRACING=on every
// request is traced (always_on) and its span exported in batches as a JSON line to
// /dev/null. Prints `READY <port>` once listening; SIGTERM stops it.
import { pino } from 'pino';
import { runService } from 'wharf';
import { createCitiesService } from '../../examples/cities/service.js';

const tracing =
  process.env.BENCH_TRACING === 'on'
    ? ({ exporter: 'console', file: '/dev/null', sampler: 'always_on' } as const)
    : undefined;

const { url } = await runService(
  createCitiesService({
    config: { http: { host: '127.0.0.1', port: 0 }, ...(tracing ? { tracing } : {}) },
    logDestination: pino.destination({ dest: '/dev/null', sync: false }),
  }),
);
process.stdout.write(`READY ${new URL(url).port}\n`);
