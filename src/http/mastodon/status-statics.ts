import type { MediaRecord } from "../../ports/repositories/media.ts";
import type { StatusApplication, StatusRecord } from "../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";

/**
 * The parts of a status's rendering that only an edit can change: whom it mentions, its hashtags, whether it
 * has a poll, its attachments once processed, and its rendered content. Home timelines render the same recent
 * statuses for every follower, so each process keeps these in memory instead of asking the database (four
 * queries a page) and re-linkifying the text on every request.
 *
 * Entries are kept by id with their edit time, so after an edit (local or federated) the entry no longer
 * matches and is made again: no cross-process invalidation is needed, which is what makes an in-process cache safe
 * for several web processes. Counts, the viewer's state, polls and authors are never cached here: they change
 * without an edit. Bounded (oldest out first), so memory stays flat.
 */
export interface StatusStatics {
  readonly mentions: readonly bigint[];
  readonly tags: readonly TagRecord[];
  readonly hasPoll: boolean;
  /** Attachments in order; only cached once every one finished processing (until then they change). */
  readonly media: readonly MediaRecord[];
}

/**
 * A bounded map that forgets the oldest entry first. Reads do not reorder: on the hottest path (every status of
 * every page) re-inserting cost more than re-loading the few entries that age out while still in use.
 */
export class BoundedMap<K, V> {
  #map = new Map<K, V>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K);
  }
  get size(): number {
    return this.#map.size;
  }
}

// About 2 KiB an entry with its content: 10,000 entries stay near 20 MiB, the newest statuses of a busy instance.
const STATICS_MAX = 10_000;
// By id, with the edit time they are of: a bigint key costs less to look up than a string made for it.
const statics = new BoundedMap<bigint, { readonly version: number; readonly value: StatusStatics }>(STATICS_MAX);
const contents = new BoundedMap<bigint, { readonly version: number; readonly html: string }>(STATICS_MAX);
// Applications cannot be edited through the API; a handful serve every status.
const applications = new BoundedMap<bigint, StatusApplication>(1_000);

const versionOf = (s: StatusRecord) => s.editedAt ?? 0;

/** The cached statics of a status at its current version, if any. */
export function cachedStatics(s: StatusRecord): StatusStatics | undefined {
  const hit = statics.get(s.id);
  return hit !== undefined && hit.version === versionOf(s) ? hit.value : undefined;
}

/**
 * Remembers a status's statics; attachments still processing are not remembered (they will change), nor remote
 * ones (the cache cleanup or a re-fetch changes their files without a new version).
 */
export function rememberStatics(s: StatusRecord, value: StatusStatics): void {
  if (value.media.some((m) => m.processing !== "complete" || m.remoteUrl)) return;
  statics.set(s.id, { version: versionOf(s), value });
}

/** The rendered content of a local status at its current version, computed once per version and process. */
export function cachedContent(s: StatusRecord, render: () => string): string {
  const hit = contents.get(s.id);
  if (hit !== undefined && hit.version === versionOf(s)) return hit.html;
  const html = render();
  contents.set(s.id, { version: versionOf(s), html });
  return html;
}

/** Applications by id, answering from memory and asking `load` only for the ones not yet seen. */
export async function cachedApplications(
  ids: readonly bigint[],
  load: (ids: readonly bigint[]) => Promise<Map<bigint, StatusApplication>>,
): Promise<Map<bigint, StatusApplication>> {
  const out = new Map<bigint, StatusApplication>();
  const missing: bigint[] = [];
  for (const id of ids) {
    const app = applications.get(id);
    if (app) out.set(id, app);
    else missing.push(id);
  }
  if (missing.length > 0)
    for (const [id, app] of await load(missing)) {
      applications.set(id, app);
      out.set(id, app);
    }
  return out;
}
