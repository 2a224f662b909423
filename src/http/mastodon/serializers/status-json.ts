import { shortcodesIn } from "../../../domain/custom-emoji.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { MediaRecord } from "../../../ports/repositories/media.ts";
import type { StatusApplication, StatusRecord } from "../../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../../ports/repositories/tags.ts";
import { BoundedMap } from "../status-statics.ts";
import {
  authorJsonText, mentionedAccounts, statusEmojis, statusLiveJson, statusOwnFields, type StatusBundle, type StatusRenderContext,
} from "./status.ts";

/*
 * A page of statuses written straight to JSON text, the same entities renderStatus makes. Every follower's home
 * page holds the same recent statuses, and serialising them cost about a third of the process per page, so the
 * part of each entity that only an edit changes is kept as JSON text: id, dates, texts, URLs, application,
 * attachments, mentions, hashtags. Authors' entities are kept as text with their renderings (status.ts). Counts,
 * the poll, emojis from the request's table and the viewer's fields are written for every request. Strings, not
 * bytes: joining them costs next to nothing, and the socket encodes the page once.
 *
 * A kept part is used only while everything it was made from is what the page loaded: the status's fields, the
 * author's name, the rendering context (statusContext gives one per instance), and the very same application,
 * attachment, hashtag and mentioned-account objects, which the per-process caches (status-statics.ts,
 * account-cache.ts) hand out unchanged until they change. Nothing has to be told to forget it, so several web
 * processes stay right without talking to each other.
 */

interface Fragment {
  /** The status the text was made from, and the other inputs, compared by identity. */
  readonly status: StatusRecord;
  /** The instance's URLs and domain (attachment and mention links): one context object per instance. */
  readonly ctx: StatusRenderContext;
  readonly authorUsername: string;
  readonly authorDomain: string | null;
  readonly application: StatusApplication | undefined;
  readonly media: readonly MediaRecord[] | undefined;
  readonly tags: readonly TagRecord[] | undefined;
  readonly mentions: readonly bigint[] | undefined;
  readonly mentioned: readonly AccountRecord[];
  /**
   * Whether `emojis` is written per request, from its table: the texts name shortcodes, or the status is remote
   * (a remote poll's options count too, and a poll can come without an edit of ours).
   */
  readonly emojisLive: boolean;
  /** The kept fields as JSON members, after a comma and up to the account's key: `,"id":…,"account":`. */
  readonly json: string;
}

// About 1.5 KiB an entry with its record: 10,000 entries stay near 15 MiB, as the statics cache beside it.
const fragments = new BoundedMap<bigint, Fragment>(10_000);

const sameStatus = (a: StatusRecord, b: StatusRecord) =>
  a === b ||
  (a.text === b.text && a.spoilerText === b.spoilerText && a.sensitive === b.sensitive && a.visibility === b.visibility && a.language === b.language &&
    a.uri === b.uri && a.url === b.url && a.editedAt === b.editedAt && a.createdAt === b.createdAt && a.inReplyToId === b.inReplyToId &&
    a.inReplyToAccountId === b.inReplyToAccountId && a.applicationId === b.applicationId && a.reblogOfId === b.reblogOfId && a.accountId === b.accountId);

const sameAccounts = (a: readonly AccountRecord[], b: readonly AccountRecord[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function fragmentOf(ctx: StatusRenderContext, s: StatusRecord, author: AccountRecord, bundle: StatusBundle): Fragment {
  const application = s.applicationId === null ? undefined : bundle.applications.get(s.applicationId);
  const media = bundle.media?.get(s.id);
  const tags = bundle.tags?.get(s.id);
  const mentions = bundle.mentions.get(s.id);
  const mentioned = mentions === undefined ? [] : mentionedAccounts(s, bundle);
  const hit = fragments.get(s.id);
  if (
    hit && sameStatus(hit.status, s) && hit.ctx === ctx && hit.authorUsername === author.username && hit.authorDomain === author.domain &&
    hit.application === application && hit.media === media && hit.tags === tags && hit.mentions === mentions && sameAccounts(hit.mentioned, mentioned)
  )
    return hit;
  const own = statusOwnFields(ctx, s, author, bundle);
  const emojisLive = author.domain !== null || shortcodesIn(s.text, s.spoilerText).size > 0;
  if (!emojisLive) own.emojis = [];
  const fragment: Fragment = {
    status: s, ctx, authorUsername: author.username, authorDomain: author.domain, application, media, tags, mentions, mentioned, emojisLive,
    json: `,${JSON.stringify(own).slice(1, -1)},"account":`,
  };
  fragments.set(s.id, fragment);
  return fragment;
}

// What renderStatus would render: the author is loaded and, for a boost, so is the boosted status.
function renderable(s: StatusRecord, bundle: StatusBundle): boolean {
  if (!bundle.accounts.has(s.accountId)) return false;
  if (s.reblogOfId === null) return true;
  const original = bundle.reblogs.get(s.reblogOfId);
  return original !== undefined && renderable(original, bundle);
}

function statusJson(ctx: StatusRenderContext, s: StatusRecord, bundle: StatusBundle): string {
  const author = bundle.accounts.get(s.accountId)!;
  const fragment = fragmentOf(ctx, s, author, bundle);
  let out = statusLiveJson(s, bundle);
  if (fragment.emojisLive) out += `,"emojis":${JSON.stringify(statusEmojis(s, author, bundle))}`;
  out += fragment.json + authorJsonText(ctx, author, bundle) + ',"reblog":';
  out += s.reblogOfId === null ? "null" : statusJson(ctx, bundle.reblogs.get(s.reblogOfId)!, bundle);
  return out + "}";
}

/**
 * The JSON array of the Status entities of `statuses`, in order: what JSON.stringify of renderStatus's entities
 * gives (keys in another order), leaving out the statuses renderStatus leaves out.
 */
export function statusListJson(ctx: StatusRenderContext, statuses: readonly StatusRecord[], bundle: StatusBundle): string {
  let out = "";
  for (const s of statuses) {
    if (!renderable(s, bundle)) continue;
    out += (out === "" ? "[" : ",") + statusJson(ctx, s, bundle);
  }
  return out === "" ? "[]" : out + "]";
}
