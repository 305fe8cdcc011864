import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs, Type } from 'wharf';

describe('configuration docs', () => {
  it('docs/configuration.md matches the schema (run `npm run docs:config` after changing it)', () => {
    const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });

  it('lists every setting with its variables, type, default and description', () => {
    const docs = renderConfigDocs();
    expect(docs).toContain(
      '| `http.port` | `WHARF_HTTP_PORT`, `PORT` | integer from 0 to 65535 | `8080` | TCP port to listen on (0 picks a free port). |',
    );
    expect(docs).toContain(
      '| `log.accessLog` | `WHARF_LOG_ACCESS_LOG` | boolean | `true` | Write one line per request (method, route, status, duration, ids). |',
    );
  });

  it('escapes pipes and marks settings without a default as required', () => {
    const schema = Type.Object({
      mode: Type.Union([Type.Literal('a|b'), Type.Literal('c')], { description: 'x | y' }),
    });
    const docs = renderConfigDocs(schema);
    expect(docs).toContain(
      '| `mode` | `WHARF_MODE` | one of "a\\|b", "c" | (required) | x \\| y |',
    );
  });
});
