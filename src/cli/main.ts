/**
 * Entry point of the `wharf` command (see bin/wharf.js):
 * `node --conditions=source --import tsx src/cli/main.ts migrate up`.
 */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
