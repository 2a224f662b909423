import type { JobDeps } from "../../jobs/deps.ts";
import type { FederationEvent } from "../../services/federation/outbound.ts";
import { enqueueDeliveries } from "../../services/federation/delivery.ts";
import { guardedDocumentLoader } from "../document-loader.ts";
import { CacheKvStore } from "../fedify-kv-store.ts";
import { LocalUris } from "../uris.ts";
import type { VocabContext } from "../vocab.ts";
import { renderEvent } from "./render-activities.ts";

/**
 * Renders a federation event once and enqueues its deliveries, one per distinct inbox, in one transaction (all
 * or none: a retry of this job after a failure re-enqueues under the same dedup keys).
 */
export async function federateEvent(deps: JobDeps, event: FederationEvent, jobId: string): Promise<void> {
  if (!deps.http) throw new Error("federation needs the guarded HTTP client in this process");
  const vocab: VocabContext = { instance: deps.instance, uris: new LocalUris(deps.instance), media: deps.media };
  const out = await renderEvent({ db: deps.db, cache: deps.cache, clock: deps.clock, vocab }, event, jobId);
  if (!out) return;
  const contextLoader = guardedDocumentLoader(deps.http, new CacheKvStore(deps.cache));
  const bodies = await Promise.all([out.activity, ...(out.more ?? [])].map(async (a) => JSON.stringify(await a.toJsonLd({ format: "compact", contextLoader }))));
  await deps.db.transaction(async (tx) => {
    for (const body of bodies) await enqueueDeliveries(tx, { body, signerAccountId: String(out.signerAccountId), inboxes: out.inboxes }, deps);
  });
}
