import { z } from "zod";
import { defineJob } from "../jobs/define-job.ts";
import { signingModule } from "./lazy-modules.ts";
import { forgetGoneInboxes, listGoneInboxes } from "../services/federation/delivery-state.ts";
import { receiveActorDeleted } from "../services/federation/inbound-accounts.ts";
import { INSTANCE_ACTOR_KEY_ID } from "../ports/repositories/account-keys.ts";

/** Gone inboxes handled per run; the next period takes the rest. */
const BATCH = 100;

/**
 * Deliveries answered 410 Gone leave their inbox behind (delivery-state). This periodic job asks each actor with
 * that inbox for its document, signed by the instance actor, and treats the actor as deleted (as a Delete of it
 * would) only when the actor itself answers 410: a shared inbox or a proxy saying Gone is not proof enough.
 */
export const pruneGoneActorsHandler = defineJob<{ period: string }>({
  name: "prune-gone-actors",
  queue: "pull",
  payload: z.object({ period: z.string() }),
  async run(deps) {
    const http = deps.http;
    if (!http) return;
    const gone = await listGoneInboxes(deps.db, BATCH);
    if (gone.length === 0) return;
    // Signing needs Fedify; load it only when there is something to check.
    const { loadSigner, signedGet } = await signingModule();
    const signer = await loadSigner(deps, INSTANCE_ACTOR_KEY_ID);
    for (const { inbox } of gone) {
      for (const account of await deps.db.repos.federationRecipients.accountsWithInbox(inbox)) {
        if (!account.uri || !signer) continue;
        const response = await signedGet(http, account.uri, signer, { maxBytes: 1024 * 1024 }).catch(() => null);
        if (response?.status === 410) await receiveActorDeleted(deps, { accountId: account.id });
      }
    }
    await forgetGoneInboxes(deps.db, gone.map((g) => g.inbox));
  },
});
