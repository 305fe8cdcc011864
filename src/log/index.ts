export { drainLog } from './drain.js';
export { type LoggedOptions, logged } from './logged.js';
export {
  createLogger,
  isoTime,
  type Logger,
  type LoggerOptions,
  logDestination,
} from './logger.js';
