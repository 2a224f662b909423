import { sendConfirmationMail, sendPasswordResetMail } from "./account-mail.ts";
import { cleanupAuthRecords } from "./auth-cleanup.ts";
import type { JobDefinition } from "./define-job.ts";
import { cleanupLeases, databaseMaintenance } from "./maintenance.ts";
import { deliverTestMail } from "./test-mail.ts";
import { refreshUserCachesHandler } from "./user-caches.ts";

/** Every job Herd runs. A worker refuses names it does not find here (they go to the dead set). */
export const ALL_JOBS: readonly JobDefinition<any>[] = [
  refreshUserCachesHandler,
  cleanupLeases,
  databaseMaintenance,
  deliverTestMail,
  sendConfirmationMail,
  sendPasswordResetMail,
  cleanupAuthRecords,
];
