import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

const userIdPayload = z.object({ userId: z.string().regex(/^\d{1,20}$/) });
const mailRetry = { attempts: 5, backoffMs: 10_000 };

/** E-mails a confirmation link to a new (or changed) address; the handler makes the token (stored hashed). */
export const sendConfirmationMailJob: JobContract<{ userId: string }> = {
  name: "send-confirmation-mail",
  queue: "mailers",
  payload: userIdPayload,
  retry: mailRetry,
};

/** E-mails a password reset link. */
export const sendPasswordResetMailJob: JobContract<{ userId: string }> = {
  name: "send-password-reset-mail",
  queue: "mailers",
  payload: userIdPayload,
  retry: mailRetry,
};
