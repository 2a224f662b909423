import { SHORTCODE_RE } from "../../domain/custom-emoji.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { RemoteEmojiRecord, RemoteEmojiWrite } from "../../ports/repositories/custom-emojis.ts";
import { domainPolicy, type DomainPolicyDeps } from "../federation/domain-policy.ts";

/** A custom emoji a remote post or profile tags, in domain terms: the shortcode (colons optional), its image, its id. */
export interface RemoteEmojiInput {
  readonly shortcode: string;
  /** The image URL (the Emoji's icon). */
  readonly url: string;
  /** The Emoji's ActivityPub id. */
  readonly uri: string | null;
}

/** Emojis taken from one post or profile; Mastodon takes every tag, but nothing renders hundreds. */
export const MAX_REMOTE_EMOJIS = 50;
/** Mastodon has no bound on remote shortcodes; one keeps a hostile tag from filling rows and lookups. */
const SHORTCODE_MAX = 128;
const URL_MAX = 2_048;

export interface RemoteEmojiDeps {
  readonly db: Database;
  readonly clock: Clock;
  /** For the domain policy: a domain blocked with reject_media keeps no emojis, as Mastodon's skip_download?. */
  readonly instance?: DomainPolicyDeps["instance"];
}

function httpUrl(value: string | null): string | null {
  if (value === null || value.length > URL_MAX || !URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
}

/**
 * The usable emojis of a list, as Mastodon's CustomEmojiParser and CustomEmoji validation read them: the name
 * without its colons must be two or more letters, digits or underscores, the icon an http(s) URL. The first of
 * a shortcode counts; at most MAX_REMOTE_EMOJIS.
 */
export function cleanRemoteEmojis(list: readonly RemoteEmojiInput[]): RemoteEmojiInput[] {
  const out: RemoteEmojiInput[] = [];
  const seen = new Set<string>();
  for (const e of list) {
    if (out.length >= MAX_REMOTE_EMOJIS) break;
    const shortcode = e.shortcode.replaceAll(":", "");
    if (shortcode.length > SHORTCODE_MAX || !SHORTCODE_RE.test(shortcode) || seen.has(shortcode)) continue;
    const url = httpUrl(e.url);
    if (url === null) continue;
    seen.add(shortcode);
    out.push({ shortcode, url, uri: httpUrl(e.uri) });
  }
  return out;
}

/**
 * Stores the custom emojis a remote post or profile of `domain` tags, as Mastodon's process_emoji: a new
 * shortcode is added, one whose image URL changed is updated, the rest is left alone (one query when
 * nothing changed). Emojis are linked at their origin, not copied. Nothing is stored for a domain blocked with
 * reject_media. Returns how many rows were written.
 */
export async function storeRemoteEmojis(deps: RemoteEmojiDeps, domain: string, list: readonly RemoteEmojiInput[] | undefined): Promise<number> {
  const emojis = cleanRemoteEmojis(list ?? []);
  if (emojis.length === 0) return 0;
  const d = domain.toLowerCase();
  if (deps.instance && (await domainPolicy({ db: deps.db, clock: deps.clock, instance: deps.instance }, d)).rejectMedia) return 0;
  const repo = deps.db.repos.customEmojis;
  const stored = new Map((await repo.findRemote(new Map([[d, new Set(emojis.map((e) => e.shortcode))]]))).map((e) => [e.shortcode, e]));
  const writes: RemoteEmojiWrite[] = [];
  for (const e of emojis) {
    const known = stored.get(e.shortcode);
    if (known && known.remoteUrl === e.url) continue;
    // The id stays as first stored, as Mastodon sets the uri only when it creates the row.
    writes.push({ id: known?.id ?? (await deps.db.nextId()), shortcode: e.shortcode, remoteUrl: e.url, uri: known ? (known.uri ?? e.uri) : e.uri });
  }
  if (writes.length > 0) await repo.upsertRemote(d, writes, deps.clock.now());
  return writes.length;
}

/**
 * The enabled remote emojis among the shortcodes each domain's texts use, in one query for a whole page (none
 * when no text names a shortcode).
 */
export async function remoteEmojisFor(deps: { readonly db: Database }, wanted: ReadonlyMap<string, ReadonlySet<string>>): Promise<RemoteEmojiRecord[]> {
  const nonEmpty = new Map([...wanted].filter(([, codes]) => codes.size > 0));
  if (nonEmpty.size === 0) return [];
  return (await deps.db.repos.customEmojis.findRemote(nonEmpty)).filter((e) => !e.disabled);
}
