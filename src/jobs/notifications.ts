import { notifyFollowersJob, notifyStatusFollowers } from "../services/notifications/status-notifications.ts";
import { defineJob } from "./define-job.ts";

/** Runs notifyFollowersJob: `status` notifications for followers who ring the bell. */
export const notifyFollowersHandler = defineJob({
  ...notifyFollowersJob,
  async run(deps, { statusId }) {
    await notifyStatusFollowers(deps, BigInt(statusId));
  },
});
