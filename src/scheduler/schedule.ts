import { cleanupAuthRecords } from "../jobs/auth-cleanup.ts";
import { cleanupLeases, databaseMaintenance } from "../jobs/maintenance.ts";
import { removeUnattachedMediaHandler } from "../jobs/media.ts";
import { endDuePollsHandler } from "../jobs/polls.ts";
import { removeRemoteMediaCacheHandler } from "../jobs/remote-media.ts";
import { publishDueStatusesHandler } from "../jobs/scheduled-statuses.ts";
import { refreshTrendsHandler } from "../jobs/trends.ts";
import { pruneGoneActorsHandler } from "../federation/gone-actors-job.ts";
import { isValidCron, parseDuration, type PeriodicJob } from "./periodic.ts";

/** The periodic jobs and their default schedules (Mastodon keeps the same in config/sidekiq.yml). */
export const DEFAULT_SCHEDULE: readonly PeriodicJob[] = [
  { job: cleanupLeases, schedule: { everyMs: 3_600_000 } },
  { job: databaseMaintenance, schedule: { cron: "17 4 * * *" } },
  { job: cleanupAuthRecords, schedule: { everyMs: 3_600_000 } },
  { job: refreshTrendsHandler, schedule: { everyMs: 600_000 } },
  { job: endDuePollsHandler, schedule: { everyMs: 60_000 } },
  { job: publishDueStatusesHandler, schedule: { everyMs: 60_000 } },
  { job: removeUnattachedMediaHandler, schedule: { everyMs: 3_600_000 } },
  { job: removeRemoteMediaCacheHandler, schedule: { cron: "37 3 * * *" } },
  { job: pruneGoneActorsHandler, schedule: { everyMs: 600_000 } },
];

/**
 * Applies an operator's overrides, "name=5m,other=0 3 * * *" (HERD_SCHEDULE), to the defaults. Returns an error
 * message naming what to fix when a name or schedule is wrong.
 */
export function applyScheduleOverrides(
  defaults: readonly PeriodicJob[],
  overrides: string,
): { ok: true; jobs: PeriodicJob[] } | { ok: false; error: string } {
  const jobs = [...defaults];
  for (const part of overrides.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const name = eq > 0 ? part.slice(0, eq).trim() : "";
    const value = eq > 0 ? part.slice(eq + 1).trim() : "";
    const i = jobs.findIndex((j) => j.job.name === name);
    if (i < 0)
      return { ok: false, error: `unknown periodic job ${JSON.stringify(name || part)}; known: ${defaults.map((j) => j.job.name).join(", ")}` };
    const everyMs = parseDuration(value);
    if (everyMs !== null) jobs[i] = { job: jobs[i].job, schedule: { everyMs } };
    else if (isValidCron(value)) jobs[i] = { job: jobs[i].job, schedule: { cron: value } };
    else return { ok: false, error: `${JSON.stringify(value)} for ${name} is neither a duration like 30s, 5m, 1h, 1d nor a cron expression` };
  }
  return { ok: true, jobs };
}
