import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { bindRequestLog, RequestLogger, writeRequestLine } from '../../src/log/request-logger.js';

type Line = Record<string, unknown>;

function root(level: pino.Level = 'info') {
  const lines: Line[] = [];
  const logger = pino(
    { level, base: { service: 'cities' } },
    { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
  );
  return { logger, lines, child: vi.spyOn(logger, 'child') };
}

describe('RequestLogger', () => {
  it('writes a request line through its parent, with the bindings, and makes no child', () => {
    const { logger, lines, child } = root();
    const log = new RequestLogger(logger, { req_id: 'r1' }, {});
    log.bind({ trace_id: 't1', span_id: 's1' });
    writeRequestLine(log as never, 'info', { status: 200 }, 'request');

    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([
      expect.objectContaining({
        service: 'cities',
        req_id: 'r1',
        trace_id: 't1',
        span_id: 's1',
        status: 200,
        msg: 'request',
      }),
    ]);
  });

  it('becomes one child on the first ordinary line, carrying the ids bound before and after', () => {
    const { logger, lines, child } = root();
    const log = new RequestLogger(logger, { req_id: 'r1' }, {});
    log.bind({ trace_id: 't1' });
    log.info({ city: 7 }, 'loading city');
    log.debug('below the level');
    expect(child).toHaveBeenCalledTimes(1);
    log.bind({ step: 'after' });
    log.warn('slow');
    writeRequestLine(log as never, 'info', { status: 200 }, 'request');

    expect(lines.map((l) => [l.msg, l.req_id, l.trace_id, l.step])).toEqual([
      ['loading city', 'r1', 't1', undefined],
      ['slow', 'r1', 't1', 'after'],
      ['request', 'r1', 't1', 'after'],
    ]);
  });

  it('keeps a route log level: lines below it are neither written nor make a child', () => {
    const { logger, lines, child } = root('info');
    const log = new RequestLogger(logger, { req_id: 'r1' }, { level: 'warn' });
    log.info('hidden');
    writeRequestLine(log as never, 'info', { status: 200 }, 'request');
    log.error('shown');

    expect(log.level).toBe('warn');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.isLevelEnabled('error')).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('reports its bindings, the parent\u2019s included, before and after the child exists', () => {
    const { logger } = root();
    const log = new RequestLogger(logger, { req_id: 'r1' }, {});
    log.bind({ trace_id: 't1' });
    expect(log.bindings()).toEqual({ service: 'cities', req_id: 'r1', trace_id: 't1' });
    log.info('now a child');
    expect(log.bindings()).toEqual({ service: 'cities', req_id: 'r1', trace_id: 't1' });
  });

  it('logs an error given as the first argument under err, as pino does', () => {
    const { logger, lines } = root();
    const log = new RequestLogger(logger, { req_id: 'r1' }, {});
    log.error(new Error('database on fire'));

    expect(lines[0]).toMatchObject({ req_id: 'r1', err: { message: 'database on fire' } });
  });
});

describe('bindRequestLog', () => {
  it('replaces a plain pino request logger by a child, on the request and its reply', () => {
    const { logger, lines } = root();
    const request = { log: logger.child({ req_id: 'r1' }) };
    const reply = { log: request.log };
    bindRequestLog(request as never, reply as never, { trace_id: 't1' });
    reply.log.info('from the reply');

    expect(reply.log).toBe(request.log);
    expect(lines[0]).toMatchObject({ req_id: 'r1', trace_id: 't1', msg: 'from the reply' });
  });
});
