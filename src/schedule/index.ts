export { SCHEDULE_RUNS_TABLE } from './lease.js';
export {
  type Job,
  type JobContext,
  type RunListener,
  type RunRecord,
  type ScheduleLogger,
  TRACER_NAME,
} from './run.js';
export {
  createScheduler,
  type ScheduledJob,
  type ScheduleOptions,
  type Scheduler,
  type SchedulerOptions,
} from './scheduler.js';
export { useScheduler } from './service.js';
