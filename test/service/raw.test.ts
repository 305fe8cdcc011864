import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createService, route } from 'wharf';
import { testService } from 'wharf/testing';

const thisFile = fileURLToPath(import.meta.url);

function rawService() {
  return createService({
    name: 'raw',
    config: { log: { level: 'silent' } },
    routes: [
      route({
        method: 'GET',
        url: '/text',
        name: 'text',
        raw: true,
        handler: (_req, reply) => reply.type('text/plain').send('plain words'),
      }),
      route({
        method: 'GET',
        url: '/stream',
        name: 'stream',
        raw: true,
        handler: (_req, reply) => reply.type('text/csv').send(Readable.from(['a,b\n', '1,2\n'])),
      }),
      route({
        method: 'GET',
        url: '/file',
        name: 'file',
        raw: true,
        handler: (_req, reply) => reply.type('text/plain').send(createReadStream(thisFile)),
      }),
      route({
        method: 'GET',
        url: '/redirect',
        name: 'redirect',
        raw: true,
        handler: (_req, reply) => reply.redirect('/text', 302),
      }),
    ],
  });
}

describe('raw routes (envelope opt-out)', () => {
  it('send the reply as the handler built it', async () => {
    const t = await testService(rawService());
    const res = await t.client.text();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('plain words');
    await t.close();
  });

  it('stream a body without buffering it into an envelope', async () => {
    const t = await testService(rawService());
    const res = await t.client.stream();
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body).toBe('a,b\n1,2\n');
    await t.close();
  });

  it('serve a file', async () => {
    const t = await testService(rawService());
    const res = await t.client.file();
    expect(String(res.body)).toContain("describe('raw routes (envelope opt-out)'");
    await t.close();
  });

  it('can redirect', async () => {
    const t = await testService(rawService());
    const res = await t.client.redirect();
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/text');
    await t.close();
  });
});
