/**
 * Entry point of the `wharf` command (see bin/wharf.js):
 * `node --conditions=source --import tsx src/cli/main.ts migrate up`.
 */
import { runCli } from './run.js';

// A reader that stops early (`wharf openapi | head`) ends the command as a closed pipe
// ends any Unix tool: quietly, rather than with an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`wharf: cannot write to standard output: ${error.message}\n`);
  process.exit(1);
});

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
