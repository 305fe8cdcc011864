export { type Static, type TSchema, Type } from 'typebox';
export * from './app/index.js';
export * from './config/index.js';
export * from './errors/index.js';
export * from './health/index.js';
export * from './log/index.js';
export * from './openapi/index.js';
export * from './service/index.js';
