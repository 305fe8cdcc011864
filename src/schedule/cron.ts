import { Cron } from 'croner';
import { messageOf, ScheduleDefinitionError } from '../errors/index.js';

/** A parsed cron expression: when it fires next. */
export interface CronSchedule {
  /** The expression as given. */
  readonly expression: string;
  /** The first tick strictly after `after`, or null when the expression never fires again. */
  next(after: Date): Date | null;
}

/**
 * Parse `expression` (5 fields from minutes, 6 from seconds, or a nickname such as
 * `@hourly`) for the job `name`, in `timezone` (an IANA name; the process's own when
 * left out). Croner only evaluates the pattern here: Wharf keeps its own timers, so it
 * knows the exact tick each run belongs to.
 *
 * @throws ScheduleDefinitionError naming the job, the expression and what is wrong with it.
 */
export function parseCron(name: string, expression: string, timezone?: string): CronSchedule {
  const where = `Schedule "${name}"`;
  if (timezone !== undefined && !isTimezone(timezone)) {
    throw new ScheduleDefinitionError(
      `${where}: unknown timezone "${timezone}"; use an IANA name such as "Europe/Paris" or "UTC"`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, timezone });
  } catch (error) {
    throw new ScheduleDefinitionError(
      `${where}: invalid cron expression "${expression}": ${reason(error)}`,
    );
  }
  if (cron.nextRun() === null) {
    throw new ScheduleDefinitionError(
      `${where}: cron expression "${expression}" never fires (no such date ahead)`,
    );
  }
  return { expression, next: (after) => cron.nextRun(after) };
}

function isTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Croner's message without its class prefix, starting lower case to follow the colon. */
function reason(error: unknown): string {
  const message = messageOf(error).replace(/^Cron\w*:\s*/, '');
  return message.charAt(0).toLowerCase() + message.slice(1);
}
