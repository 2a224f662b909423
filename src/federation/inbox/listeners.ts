import { createHash } from "node:crypto";
import type { Federation } from "@fedify/fedify";
import { Activity, Delete } from "@fedify/fedify/vocab";
import type { InstanceSettings } from "../../domain/instance.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { Logger } from "../../ports/logger.ts";
import { ingestActivityJob, MAX_ACTIVITY_BYTES } from "../../services/federation/ingest.ts";
import { instanceFetchSigner } from "../instance-signer.ts";
import { rawBody } from "./raw-bodies.ts";
import { recordDomainReachable } from "../../services/federation/delivery-state.ts";

/** What the inbox listeners use: the database (to enqueue) and the log. */
export interface InboxListenerDeps {
  readonly instance: InstanceSettings;
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly log: Logger;
}

/** When each domain was last recorded reachable by this process. */
const reachableNoted = new Map<string, number>();

/** The dedup key of an activity's job: its id, or (for the rare activity without one) a digest of the document. */
export function ingestDedupKey(activityId: string | null, document: string): string {
  return `ingest:${activityId ?? `sha256:${createHash("sha256").update(document).digest("hex")}`}`;
}

/**
 * Enqueues a verified activity (its actor is the signer) as one ingest-activity job. An activity whose id is on
 * another server than its actor is dropped: it would be a forgery, and would take the real activity's dedup and
 * idempotence keys. Used by the Fedify listener and by the fast path (fast-inbox.ts).
 */
export async function enqueueVerified(
  deps: InboxListenerDeps,
  input: { document: string; recipient: string | null; signer: URL; activityId: URL | null },
): Promise<void> {
  const { signer, activityId, document } = input;
  if (activityId && activityId.origin !== signer.origin) {
    deps.log.debug({ activity: activityId.href, actor: signer.href }, "inbox: activity id on another origin than its actor, ignored");
    return;
  }
  if (Buffer.byteLength(document) > MAX_ACTIVITY_BYTES) return;
  const job = jobRequest(
    ingestActivityJob,
    { activity: document, recipient: input.recipient, signer: signer.href },
    { dedupKey: ingestDedupKey(activityId?.href ?? null, document) },
  );
  await deps.db.enqueue([job]);
  // A verified activity from a domain the delivery breaker gave up on means it is back (as Mastodon does);
  // once a minute per domain is enough, and spares a write per activity from a busy peer.
  const domain = signer.host.toLowerCase();
  const now = Date.now();
  if ((reachableNoted.get(domain) ?? 0) < now - 60_000) {
    if (reachableNoted.size >= 10_000) reachableNoted.clear();
    reachableNoted.set(domain, now);
    await recordDomainReachable(deps, domain);
  }
}

/**
 * Registers the personal (/users/{identifier}/inbox) and shared (/inbox) inboxes. Fedify verifies each request
 * before the listener runs: HTTP Signatures (draft-cavage and RFC 9421, the key fetched through Herd's guarded
 * document loader; 401 at once when bad, and 401 when the key's owner is not the activity's actor), or Linked
 * Data Signatures / Object Integrity Proofs, which it accepts only when every actor of the activity signed. So in
 * the listener the activity's actor is the verified signer. The listener only enqueues `ingest-activity` on
 * `ingress` (no Fedify queue: the request is done once the job is recorded); all translation runs in the job.
 */
export function registerInboxListeners(federation: Federation<void>, deps: InboxListenerDeps): void {
  const enqueue = async (activity: Activity, recipient: string | null): Promise<void> => {
    const signer = activity.actorId;
    if (!signer) return;
    const document = rawBody.getStore()?.text ?? JSON.stringify(await activity.toJsonLd());
    await enqueueVerified(deps, { document, recipient, signer, activityId: activity.id });
  };
  const instanceKey = instanceFetchSigner(deps);
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    // Fedify remembers processed activity ids for a day. Keyed by actor as well as id, so nobody can make Herd
    // skip another server's activity by sending its id first (enqueue also checks the id's origin).
    .withIdempotency((_ctx, activity) => (activity.id && activity.actorId ? `${activity.actorId.href}\n${activity.id.href}` : null))
    // Key fetches from the shared inbox are signed by the instance actor, for peers in authorized-fetch mode.
    .setSharedKeyDispatcher(async () => {
      const { keyId, privateKey } = await instanceKey();
      return { keyId, privateKey };
    })
    .on(Activity, (ctx, activity) => enqueue(activity, ctx.recipient))
    .onUnverifiedActivity(async (_ctx, activity, reason) => {
      // A deleted Mastodon account announces its deletion with a Delete signed by its own key, which can no
      // longer be fetched: the actor's server answers 410 Gone. That answer, from the actor's own origin, is the
      // confirmation: such a Delete of the actor itself is accepted. Anything else unverified gets 401.
      if (reason.type !== "keyFetchError" || !("status" in reason.result) || reason.result.status !== 410) return;
      const actor = activity.actorId;
      const key = new URL(reason.keyId.href);
      key.hash = "";
      if (!(activity instanceof Delete) || !actor || activity.objectId?.href !== actor.href || key.href !== actor.href) return;
      await enqueue(activity, null);
      return new Response(null, { status: 202 });
    })
    .onError((_ctx, error) => {
      deps.log.debug({ err: error }, "inbox: activity refused");
    });
}
