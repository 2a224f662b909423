import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

/**
 * Generates a new local account's key pairs off the sign-up path (RSA generation costs tens of milliseconds).
 * Enqueued in the account's creation transaction; the actor endpoint generates them on demand if this has not
 * run yet, and whichever comes first wins.
 */
export const generateActorKeysJob: JobContract<{ accountId: string }> = {
  name: "generate-actor-keys",
  queue: "default",
  payload: z.object({ accountId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 5, backoffMs: 5_000 },
};
