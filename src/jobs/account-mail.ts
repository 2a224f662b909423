import { deliverConfirmation, deliverPasswordReset } from "../services/registration/account-mail.ts";
import { sendConfirmationMailJob, sendPasswordResetMailJob } from "../services/registration/mail-jobs.ts";
import { defineJob } from "./define-job.ts";

/** Runs sendConfirmationMailJob: a fresh confirmation link (a retry sends a new valid one). */
export const sendConfirmationMail = defineJob({
  ...sendConfirmationMailJob,
  async run(deps, { userId }) {
    await deliverConfirmation(deps, BigInt(userId));
  },
});

/** Runs sendPasswordResetMailJob. */
export const sendPasswordResetMail = defineJob({
  ...sendPasswordResetMailJob,
  async run(deps, { userId }) {
    await deliverPasswordReset(deps, BigInt(userId));
  },
});
