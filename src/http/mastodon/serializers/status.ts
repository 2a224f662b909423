import { formatStatusText, type LinkedMention } from "../../../domain/status-text.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { StatusApplication, StatusRecord } from "../../../ports/repositories/statuses.ts";
import { renderAccount, type AccountRenderContext } from "./account.ts";

/** What rendering statuses needs from the instance. */
export interface StatusRenderContext extends AccountRenderContext {
  readonly localDomain: string;
}

/** Everything a page of statuses refers to, loaded in a few queries for the whole page. */
export interface StatusBundle {
  readonly accounts: ReadonlyMap<bigint, AccountRecord>;
  /** Mentioned account ids per status. */
  readonly mentions: ReadonlyMap<bigint, readonly bigint[]>;
  readonly applications: ReadonlyMap<bigint, StatusApplication>;
  /** The signed-in viewer (null when anonymous or app-only) and which of the page's statuses they pinned. */
  readonly viewerId: bigint | null;
  readonly pinned: ReadonlySet<bigint>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function accountUrl(ctx: StatusRenderContext, a: AccountRecord): string {
  return a.domain === null ? `${ctx.baseUrl}/@${a.username}` : (a.url ?? a.uri ?? "");
}

function renderMentions(ctx: StatusRenderContext, accounts: readonly AccountRecord[]) {
  return accounts.map((a) => ({
    id: String(a.id),
    username: a.username,
    url: accountUrl(ctx, a),
    acct: a.domain === null ? a.username : `${a.username}@${a.domain}`,
  }));
}

/** Links the mentions the status recorded; other `@…` stay text. */
function mentionResolver(ctx: StatusRenderContext, accounts: readonly AccountRecord[]) {
  const local = ctx.localDomain.toLowerCase();
  return (token: { username: string; domain: string | null }): LinkedMention | null => {
    const domain = token.domain === local ? null : token.domain;
    const a = accounts.find((x) => x.username.toLowerCase() === token.username.toLowerCase() && (x.domain?.toLowerCase() ?? null) === domain);
    return a ? { username: a.username, url: accountUrl(ctx, a) } : null;
  };
}

/**
 * Mastodon's Status entity for a local status. The viewer fields (favourited, reblogged, muted, bookmarked) are
 * false because none of those actions exist yet; `pinned` appears on the viewer's own pinnable statuses.
 * `withSource` adds the plain `text`, as the answer to a delete does (for redrafting). Null when the author is
 * missing from the bundle.
 */
export function renderStatus(ctx: StatusRenderContext, s: StatusRecord, bundle: StatusBundle, withSource = false): Record<string, unknown> | null {
  const author = bundle.accounts.get(s.accountId);
  if (!author) return null;
  const mentioned = (bundle.mentions.get(s.id) ?? []).map((id) => bundle.accounts.get(id)).filter((a): a is AccountRecord => a !== undefined);
  const app = s.applicationId === null ? undefined : bundle.applications.get(s.applicationId);
  const local = author.domain === null;
  const out: Record<string, unknown> = {
    id: String(s.id),
    created_at: iso(s.createdAt),
    in_reply_to_id: s.inReplyToId === null ? null : String(s.inReplyToId),
    in_reply_to_account_id: s.inReplyToAccountId === null ? null : String(s.inReplyToAccountId),
    sensitive: s.sensitive,
    spoiler_text: s.spoilerText,
    visibility: s.visibility,
    language: s.language,
    uri: local ? `${ctx.baseUrl}/users/${author.username}/statuses/${s.id}` : (s.uri ?? ""),
    url: local ? `${ctx.baseUrl}/@${author.username}/${s.id}` : (s.url ?? s.uri),
    replies_count: s.repliesCount,
    reblogs_count: s.reblogsCount,
    favourites_count: s.favouritesCount,
    edited_at: s.editedAt === null ? null : iso(s.editedAt),
    content: local ? formatStatusText(s.text, mentionResolver(ctx, mentioned)) : s.text,
    reblog: null,
    application: app ? { name: app.name, website: app.website } : null,
    account: renderAccount(ctx, author),
    media_attachments: [],
    mentions: renderMentions(ctx, mentioned),
    tags: [],
    emojis: [],
    card: null,
    poll: null,
  };
  if (withSource) out.text = s.text;
  if (bundle.viewerId !== null) {
    out.favourited = false;
    out.reblogged = false;
    out.muted = false;
    out.bookmarked = false;
    if (bundle.viewerId === s.accountId && s.visibility !== "direct" && s.reblogOfId === null) out.pinned = bundle.pinned.has(s.id);
  }
  return out;
}
