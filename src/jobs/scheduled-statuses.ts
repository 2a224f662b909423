import { z } from "zod";
import { publishDueStatuses, publishScheduledStatus } from "../services/scheduled/publish.ts";
import { publishScheduledStatusJob } from "../services/scheduled/scheduled-jobs.ts";
import type { StatusDeps } from "../services/statuses/deps.ts";
import { defineJob } from "./define-job.ts";
import type { JobDeps } from "./deps.ts";

const statusDeps = (deps: JobDeps): StatusDeps & { log: JobDeps["log"] } => ({
  db: deps.db, cache: deps.cache, clock: deps.clock, localDomain: deps.instance.localDomain, maxStatusChars: deps.instance.maxStatusChars, log: deps.log,
});

/**
 * Publishes a scheduled status at its time. One that is not due (re-timed later, or this job ran early) is
 * left to the job enqueued with its new time, or to the sweep.
 */
export const publishScheduledStatusHandler = defineJob({
  ...publishScheduledStatusJob,
  async run(deps, { scheduledStatusId }) {
    await publishScheduledStatus(statusDeps(deps), BigInt(scheduledStatusId));
  },
});

/** Publishes the scheduled statuses whose job was lost or ran early (the sweep behind the delayed jobs). */
export const publishDueStatusesHandler = defineJob({
  name: "publish-due-scheduled-statuses",
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 10_000 },
  async run(deps) {
    const published = await publishDueStatuses(statusDeps(deps));
    if (published > 0) deps.log.info({ published }, "scheduled statuses published by the sweep");
  },
});
