/**
 * Entry point: the only reader of process.env and process.argv. Everything else receives what it
 * needs from here.
 */
import { runCli } from './cli/program.ts';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stderr.write(`${line}\n`),
  onShutdownSignal: (handler) => {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  },
});
process.exitCode = code;
