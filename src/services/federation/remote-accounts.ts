import { sanitizeRemoteHtml, stripHtml } from "../../domain/remote-html.ts";
import type { ProfileField } from "../../domain/profile.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { Logger } from "../../ports/logger.ts";
import type { AccountRecord, ActorType } from "../../ports/repositories/accounts.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { storeRemoteEmojis, type RemoteEmojiInput } from "../emojis/remote-emojis.ts";
import { fetchRemoteProfileImageJob } from "../media/remote-media-jobs.ts";
import { domainPolicy, type DomainPolicyDeps } from "./domain-policy.ts";

/** What storing a remote account uses. */
export interface RemoteAccountDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly log: Logger;
  /** For the domain policy: a new account on a suspended or silenced domain starts suspended or silenced. */
  readonly instance?: DomainPolicyDeps["instance"];
}

/**
 * A remote actor as federation read it, in domain terms (no ActivityStreams types). Text fields may hold what
 * the remote server sent: they are sanitized here, whatever the caller did, because this is where remote text
 * enters storage (display name and field names become plain text, the note and field values allowlisted HTML).
 */
export interface RemoteActorProfile {
  readonly username: string;
  /** Lower-case host, with the port when not the default. */
  readonly domain: string;
  /** The actor id. */
  readonly uri: string;
  /** The profile page. */
  readonly url: string | null;
  readonly displayName: string;
  readonly note: string;
  readonly fields: readonly { readonly name: string; readonly value: string }[];
  readonly locked: boolean;
  readonly bot: boolean;
  readonly discoverable: boolean | null;
  readonly indexable: boolean;
  readonly avatarRemoteUrl: string | null;
  readonly headerRemoteUrl: string | null;
  readonly inboxUrl: string | null;
  readonly sharedInboxUrl: string | null;
  readonly outboxUrl: string | null;
  readonly followersUrl: string | null;
  readonly followingUrl: string | null;
  readonly featuredUrl: string | null;
  readonly featuredTagsUrl: string | null;
  readonly actorType: ActorType;
  readonly alsoKnownAs: readonly string[];
  /** The actor id it moved to; recorded only when that account is stored already. */
  readonly movedToUri: string | null;
  /** When the actor says it was created (ms); null: now. */
  readonly published: number | null;
  /** totalItems of the followers, following and outbox collections, when the document carried them. */
  readonly followersCount?: number;
  readonly followingCount?: number;
  readonly statusesCount?: number;
  /** The custom emojis the name, bio and fields tag (absent: none). */
  readonly emojis?: readonly RemoteEmojiInput[];
}

export interface StoredRemoteAccount {
  readonly account: AccountRecord;
  readonly created: boolean;
}

// Bounds on what one actor may make us store and every client render; Mastodon's local limits are far lower.
const DISPLAY_NAME_MAX = 256;
const NOTE_SOURCE_MAX = 50_000;
const FIELDS_MAX = 16;
const FIELD_NAME_MAX = 255;
const FIELD_VALUE_SOURCE_MAX = 2_048;
const ALIASES_MAX = 20;
const URL_MAX = 2_048;

/** Cut to `max` code points, never inside a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join("");
}

function safeUrl(url: string | null): string | null {
  if (url === null || url.length > URL_MAX || !URL.canParse(url)) return null;
  const protocol = new URL(url).protocol;
  return protocol === "https:" || protocol === "http:" ? url : null;
}

function cleanFields(fields: RemoteActorProfile["fields"]): ProfileField[] {
  const out: ProfileField[] = [];
  for (const f of fields) {
    if (out.length >= FIELDS_MAX) break;
    const name = cut(stripHtml(cut(f.name, FIELD_NAME_MAX * 4)), FIELD_NAME_MAX);
    if (name === "") continue;
    out.push({ name, value: sanitizeRemoteHtml(cut(f.value, FIELD_VALUE_SOURCE_MAX)), verifiedAt: null });
  }
  return out;
}

/**
 * Stores (inserts or refreshes) a remote account in one transaction: the sanitized profile, the inbox and
 * collection URLs delivery needs, the time of the fetch, and the origin URLs of its avatar and header, whose
 * download is queued (on `pull`) when a URL is new or not cached yet. Username and domain stay as first stored;
 * a new account on a suspended or silenced domain starts so (with `deps.instance`), as Mastodon's do. The
 * custom emojis the profile tags are stored for its domain.
 * Null when another account already holds this username@domain with a different actor id (logged, not stored).
 */
export async function storeRemoteAccount(deps: RemoteAccountDeps, input: RemoteActorProfile): Promise<StoredRemoteAccount | null> {
  const now = deps.clock.now();
  const domain = input.domain.toLowerCase();
  const avatar = safeUrl(input.avatarRemoteUrl);
  const header = safeUrl(input.headerRemoteUrl);
  const policy = deps.instance ? await domainPolicy({ db: deps.db, clock: deps.clock, instance: deps.instance }, domain) : null;
  const blockedAt = policy?.blockedAt ?? null;
  const stored = await deps.db.transaction(async (tx) => {
    const movedToAccountId = input.movedToUri !== null && input.movedToUri !== input.uri ? ((await tx.accounts.findByUri(input.movedToUri))?.id ?? null) : null;
    const result = await tx.accounts.upsertRemote({
      id: await tx.nextId(),
      uri: input.uri,
      url: safeUrl(input.url),
      username: input.username,
      domain,
      displayName: cut(stripHtml(cut(input.displayName, DISPLAY_NAME_MAX * 4)), DISPLAY_NAME_MAX),
      note: sanitizeRemoteHtml(cut(input.note, NOTE_SOURCE_MAX)),
      fields: cleanFields(input.fields),
      locked: input.locked,
      bot: input.bot,
      discoverable: input.discoverable,
      indexable: input.indexable,
      actorType: input.actorType,
      inboxUrl: safeUrl(input.inboxUrl),
      sharedInboxUrl: safeUrl(input.sharedInboxUrl),
      outboxUrl: safeUrl(input.outboxUrl),
      followersUrl: safeUrl(input.followersUrl),
      followingUrl: safeUrl(input.followingUrl),
      featuredUrl: safeUrl(input.featuredUrl),
      featuredTagsUrl: safeUrl(input.featuredTagsUrl),
      alsoKnownAs: [...new Set(input.alsoKnownAs.map(safeUrl).filter((u): u is string => u !== null))].slice(0, ALIASES_MAX),
      movedToAccountId,
      ...(input.followersCount !== undefined ? { followersCount: input.followersCount } : {}),
      ...(input.followingCount !== undefined ? { followingCount: input.followingCount } : {}),
      ...(input.statusesCount !== undefined ? { statusesCount: input.statusesCount } : {}),
      createdAt: input.published !== null && Number.isFinite(input.published) && input.published <= now ? input.published : now,
      suspendedAt: policy?.suspended ? (blockedAt ?? now) : null,
      silencedAt: policy?.silenced ? (blockedAt ?? now) : null,
      now,
    });
    if (result === null) return null;
    const before = await tx.remoteMedia.findProfile(result.id);
    await tx.remoteMedia.setProfileUrls(result.id, { avatar, header });
    const fetches: ("avatar" | "header")[] = [];
    for (const [which, url, oldUrl, key] of [
      ["avatar", avatar, before?.avatarRemoteUrl ?? null, before?.avatarKey ?? null],
      ["header", header, before?.headerRemoteUrl ?? null, before?.headerKey ?? null],
    ] as const) {
      if (url !== null && (url !== oldUrl || key === null)) fetches.push(which);
      // A picture the actor no longer has is not shown any more; its cached file is left to the prune.
      if (url === null && key !== null) await tx.remoteMedia.setProfileImage(result.id, which, null, now);
    }
    if (fetches.length > 0)
      await tx.enqueue(
        fetches.map((w) =>
          jobRequest(fetchRemoteProfileImageJob, { accountId: String(result.id), which: w }, { dedupKey: `fetch-remote-profile-image:${result.id}:${w}` }),
        ),
      );
    return result;
  });
  if (stored === null) {
    deps.log.info({ uri: input.uri, acct: `${input.username}@${domain}` }, "remote account not stored: another actor holds this username and domain");
    return null;
  }
  await forgetAccounts(deps.cache, [stored.id]);
  const account = await deps.db.repos.accounts.findById(stored.id);
  // Under the domain the account is stored with (it stays as first stored).
  if (account?.domain) await storeRemoteEmojis(deps, account.domain, input.emojis);
  return account ? { account, created: stored.created } : null;
}
