export {
  type App,
  type AppDefinition,
  type AppSource,
  defineApp,
  type Runnable,
} from './define.js';
export { APP_ROLES, type AppRole, attachRoles, type RunAppOptions, runApp } from './run.js';
