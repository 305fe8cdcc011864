import type { ResolvedRoute } from '../../service/index.js';
import { type Command, ExitCode, parseCommandLine, table } from '../command.js';
import { ENTRY_HELP, entryPath, loadApp } from '../entry.js';

const NAME = 'wharf routes';

const OPTIONS = {
  entry: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = [
  `Usage: ${NAME} [--entry <path>]`,
  '',
  "Prints the service's routes, health routes included, in registration order: method,",
  'full path, name (the operationId and test client method) and summary.',
  '',
  'Options:',
  ...table([ENTRY_HELP, ['-h, --help', 'Show this help']]),
];

/** `wharf routes`: the route table of the entry's service. */
export const routesCommand: Command = {
  name: 'routes',
  summary: "Print the service's routes: method, path, name, summary",
  async run(args, ctx) {
    const { values } = parseCommandLine(NAME, args, OPTIONS, 0);
    if (values.help) {
      for (const line of HELP) ctx.out(line);
      return ExitCode.ok;
    }
    const app = await loadApp(entryPath(ctx, values.entry), ctx);
    for (const line of routeTable(app.service.routes)) ctx.out(line);
    return ExitCode.ok;
  },
};

/** Aligned columns under a header; the last column is not padded. */
export function routeTable(routes: readonly ResolvedRoute[]): string[] {
  const header = ['METHOD', 'PATH', 'NAME', 'SUMMARY'];
  const rows = routes.map(({ route, url }) => [route.method, url, route.name, route.summary ?? '']);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
