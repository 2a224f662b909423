import { z } from "zod";
import { defineJob } from "./define-job.ts";

/**
 * A test message through the configured mailer, on the mailers queue like every real message, so an operator
 * checks the whole path (queue, worker, SMTP) with `herd admin mail test --to …`.
 */
export const deliverTestMail = defineJob({
  name: "deliver-test-mail",
  queue: "mailers",
  payload: z.object({ to: z.string().min(3), requestedAt: z.string() }),
  retry: { attempts: 5, backoffMs: 5_000 },
  async run(deps, { to, requestedAt }) {
    const messageId = await deps.mailer.send({
      to,
      subject: "Herd test message",
      text: `This message was requested with \`herd admin mail test\` at ${requestedAt} and sent by a Herd worker.\nIf you can read it, outgoing mail works.\n`,
    });
    deps.log.info({ to, messageId }, "test mail sent");
  },
});
