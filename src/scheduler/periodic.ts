import { CronExpressionParser } from "cron-parser";
import type { JobDefinition } from "../jobs/define-job.ts";

/** A job the scheduler fires once per period: every `everyMs`, or at the times of a cron expression (UTC). */
export interface PeriodicJob {
  readonly job: JobDefinition<{ period: string }>;
  readonly schedule: { readonly everyMs: number } | { readonly cron: string };
}

/** Start of the period that contains `now`, in ms: the last interval boundary or the last cron time. */
export function periodStart(schedule: PeriodicJob["schedule"], now: number): number {
  if ("everyMs" in schedule) return Math.floor(now / schedule.everyMs) * schedule.everyMs;
  // cron-parser's prev() is strictly before currentDate; one ms ahead makes an exact hit count as this period.
  const expr = CronExpressionParser.parse(schedule.cron, { currentDate: new Date(now + 1), tz: "UTC" });
  return expr.prev().getTime();
}

/** Length of the period starting at `start` (until the next boundary or cron time). */
export function periodLength(schedule: PeriodicJob["schedule"], start: number): number {
  if ("everyMs" in schedule) return schedule.everyMs;
  const expr = CronExpressionParser.parse(schedule.cron, { currentDate: new Date(start), tz: "UTC" });
  return expr.next().getTime() - start;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "30s", "5m", "1h", "1d" into ms; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNITS[m[2]];
  return ms > 0 ? ms : null;
}

/** True when `expr` is a cron expression the scheduler can use. */
export function isValidCron(expr: string): boolean {
  try {
    CronExpressionParser.parse(expr, { tz: "UTC" });
    return true;
  } catch {
    return false;
  }
}
