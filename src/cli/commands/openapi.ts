import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { buildOpenApiSpec } from '../../openapi/index.js';
import { type Command, ExitCode, parseCommandLine, table, UsageError } from '../command.js';
import { ENTRY_HELP, entryPath, loadApp } from '../entry.js';

const NAME = 'wharf openapi';

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  server: { type: 'string', multiple: true },
  entry: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = [
  `Usage: ${NAME} [--out <file>] [--server <url>]… [--entry <path>]`,
  '',
  "Writes the service's OpenAPI 3.1 document as JSON, the same as served at",
  '/openapi/spec.json (also when openapi.enabled is false), to standard output or a file.',
  "The service's start hooks run to build it (an embedded database starts), and its stop",
  'hooks run afterwards; nothing listens.',
  '',
  'Options:',
  ...table([
    ['-o, --out <file>', 'Write the document to this file instead of standard output'],
    ['--server <url>', 'A base URL the API is reachable at (servers); repeat for several'],
    ENTRY_HELP,
    ['-h, --help', 'Show this help'],
  ]),
];

/** `wharf openapi`: the entry service's OpenAPI document. */
export const openapiCommand: Command = {
  name: 'openapi',
  summary: "Write the service's OpenAPI document (JSON) to stdout or a file",
  async run(args, ctx) {
    const { values } = parseCommandLine(NAME, args, OPTIONS, 0);
    if (values.help) {
      for (const line of HELP) ctx.out(line);
      return ExitCode.ok;
    }
    const servers = (values.server ?? []).map((url) => {
      if (!URL.canParse(url)) throw new UsageError(NAME, `--server needs a URL, got "${url}"`);
      return { url };
    });
    const { service } = await loadApp(entryPath(ctx, values.entry), ctx);
    let json: string;
    try {
      json = `${JSON.stringify(await buildOpenApiSpec(service, { servers }), null, 2)}\n`;
    } finally {
      await service.stop();
    }
    if (values.out === undefined) {
      ctx.out(json.trimEnd());
      return ExitCode.ok;
    }
    const file = resolve(ctx.cwd, values.out);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, json);
    ctx.out(`Wrote ${relative(ctx.cwd, file) || file}`);
    return ExitCode.ok;
  },
};
