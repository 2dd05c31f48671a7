/** The pino implementation of the logging port: JSON lines on standard output. */
import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '../kernel/logger.ts';

/** Field names that must never carry their value into a log, wherever they appear. */
const redact = ['password', 'token', 'secret', 'authorization', 'cookie', '*.password', '*.token', '*.secret', '*.authorization', '*.cookie'];

function wrap(p: Pino): Logger {
  return {
    debug: (fields, message) => p.debug(fields, message),
    info: (fields, message) => p.info(fields, message),
    warn: (fields, message) => p.warn(fields, message),
    error: (fields, message) => p.error(fields, message),
    child: (fields) => wrap(p.child(fields)),
  };
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: 'lanyard' }, redact: { paths: redact, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime };
  return wrap(destination ? pino(options, destination as never) : pino(options));
}
