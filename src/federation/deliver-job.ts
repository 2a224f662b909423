import type { JobDeps } from "../jobs/deps.ts";
import { defineJob } from "../jobs/define-job.ts";
import { OutgoingRequestError } from "../ports/http-client.ts";
import {
  deliverJob,
  deliverySchedule,
  inboxDomain,
  judgeRequestFailure,
  judgeResponse,
  nextAttempt,
  type DeliverPayload,
  type DeliveryObserver,
  type DeliveryOutcome,
  type ResponseVerdict,
} from "../services/federation/delivery.ts";
import { recordDeliveryFailure, recordDeliverySuccess } from "../services/federation/delivery-state.ts";
import { isDomainRefused } from "../services/federation/domain-policy.ts";
import { signingModule } from "./lazy-modules.ts";

/** JobDeps with the optional outcome counter the composition root may add (metrics). */
export type DeliveryJobDeps = JobDeps & { readonly deliveries?: DeliveryObserver };

/** Response bodies are not needed; a peer answering a delivery with megabytes gets cut off. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * Delivers one activity to one inbox (deliverJob). Remote failures never throw: they schedule the next attempt
 * as a new job on Mastodon's curve, or give up, so the queue's own backoff does not stack on top; only Herd's own
 * errors (database, missing HTTP client) throw, for the queue to retry.
 */
export const deliverHandler = defineJob({
  ...deliverJob,
  async run(deps: DeliveryJobDeps, payload) {
    const outcome = await deliverOnce(deps, payload);
    deps.deliveries?.delivered(outcome, payload.attempt);
    deps.log.debug({ inbox: payload.inbox, attempt: payload.attempt, outcome }, "delivery");
  },
});

/** One attempt, and what it came to; exported for tests that drive it with their own clock. */
export async function deliverOnce(deps: JobDeps, payload: DeliverPayload): Promise<DeliveryOutcome> {
  const http = deps.http;
  if (!http) throw new Error("this worker has no outgoing HTTP client (JobDeps.http) for deliveries");
  const domain = inboxDomain(payload.inbox);
  if (await isDomainRefused(deps, domain)) return "refused";
  const state = await deps.db.repos.deliveryState.find(domain);
  // Pending attempts to an unavailable domain stop here; only a probe goes out.
  if (state?.unavailableSince != null && !payload.probe) return "unavailable";
  // Signing needs Fedify, which loads with the first delivery rather than with every worker (about 60 MiB).
  const { loadSigner, signedPost } = await signingModule();
  const signer = await loadSigner(deps, BigInt(payload.signerAccountId));
  if (!signer) return "no_signer";

  const schedule = deliverySchedule();
  let verdict: ResponseVerdict;
  try {
    const { response } = await signedPost(http, payload.inbox, payload.body, signer, { cache: deps.cache, maxBytes: MAX_RESPONSE_BYTES });
    verdict = judgeResponse(response.status, response.headers.get("retry-after"), deps.clock.now(), schedule.retryAfterCapMs);
  } catch (error) {
    if (!(error instanceof OutgoingRequestError)) throw error;
    verdict = judgeRequestFailure(error.reason);
  }

  switch (verdict.kind) {
    case "delivered":
      if (state) await recordSuccess(deps, domain);
      return "delivered";
    case "gone":
      if (state) await recordSuccess(deps, domain);
      await deps.db.repos.deliveryState.recordGoneInbox(payload.inbox, domain, deps.clock.now());
      return "gone";
    case "rejected":
      return "rejected";
    case "retry": {
      if (verdict.countsAsFailure) {
        const after = await recordDeliveryFailure(deps, domain);
        if (after.unavailableSince !== null) {
          if (after.unavailableSince === deps.clock.now()) deps.log.warn({ domain, failureDays: after.failureDays }, "delivery domain marked unavailable");
          return "failed";
        }
      }
      if (payload.attempt >= schedule.maxAttempts) return "failed";
      const delayMs = verdict.retryAfterMs ?? schedule.retryDelayMs(payload.attempt, Math.random);
      await deps.db.enqueue([nextAttempt(payload, Math.max(0, delayMs))]);
      return "retry";
    }
  }
}

async function recordSuccess(deps: JobDeps, domain: string): Promise<void> {
  if (await recordDeliverySuccess(deps, domain)) deps.log.info({ domain }, "delivery domain available again");
}
