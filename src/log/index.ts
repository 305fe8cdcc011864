export { type LoggedOptions, logged } from './logged.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
