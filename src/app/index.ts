export {
  type App,
  type AppDefinition,
  type AppSource,
  defineApp,
  type Runnable,
} from './define.js';
export { APP_ROLES, type AppRole, type RunAppOptions, runApp } from './run.js';
