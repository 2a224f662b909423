import { emojisIn } from "../../../domain/custom-emoji.ts";
import { remoteEmojisIn } from "../../../domain/remote-emojis.ts";
import { defaultVisibility, type ProfileField } from "../../../domain/profile.ts";
import { formatFieldValue, formatPlainText } from "../../../domain/text-format.ts";
import type { AccountRecord, UserRole } from "../../../ports/repositories/accounts.ts";

/** What rendering an account needs from the instance. */
export interface AccountRenderContext {
  readonly baseUrl: string;
  /** The public URL of a media store key. */
  mediaUrl(key: string): string;
  /** Rendered CustomEmoji entities by shortcode, for the `emojis` of local names and bios (absent: none). */
  readonly emojis?: ReadonlyMap<string, Record<string, unknown>>;
  /**
   * Records of the accounts that the rendered accounts moved to, by id (absent: none loaded, so no `moved`).
   * Loaded for a whole page at once by the caller, as renderAccount cannot query.
   */
  readonly movedTo?: ReadonlyMap<bigint, AccountRecord>;
}

/** Paths of the pictures shown when an account has none (served by default-images.ts). */
export const MISSING_AVATAR_PATH = "/avatars/original/missing.png";
export const MISSING_HEADER_PATH = "/headers/original/missing.png";

interface RoleEntity {
  readonly id: string;
  readonly name: string;
  readonly permissions: string;
  readonly color: string;
  readonly highlighted: boolean;
}

// Mastodon's built-in roles and permission bitmasks (entities/Role.md): everyone may invite (0x10000);
// moderators review reports and users; admins get everything but the administrator and devops bits; the owner all.
const INVITE = 0x10000;
const ROLES: Record<UserRole, RoleEntity> = {
  user: { id: "-99", name: "", permissions: String(INVITE), color: "", highlighted: false },
  moderator: { id: "1", name: "Moderator", permissions: String(0x4 | 0x8 | 0x10 | 0x100 | 0x400 | INVITE), color: "", highlighted: true },
  admin: { id: "2", name: "Admin", permissions: String(0xfffff & ~0x3), color: "", highlighted: true },
  owner: { id: "3", name: "Owner", permissions: String(0xfffff), color: "", highlighted: true },
};

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function pictureUrl(ctx: AccountRenderContext, key: string | null, missing: string): string {
  return key ? ctx.mediaUrl(key) : ctx.baseUrl + missing;
}

function renderFields(account: AccountRecord, fields: readonly ProfileField[]) {
  const local = account.domain === null;
  return fields.map((f) => ({
    name: f.name,
    value: local ? formatFieldValue(f.value) : f.value,
    verified_at: f.verifiedAt === null ? null : iso(f.verifiedAt),
  }));
}

/**
 * The account `a` moved to, when it shows as `moved`: the target is loaded in `ctx`, not suspended and, if local,
 * confirmed and approved (others do not exist to the API yet), and `a` itself is not suspended (it shows
 * nothing then, as Mastodon's unavailable accounts).
 */
export function movedTarget(ctx: AccountRenderContext, a: AccountRecord): AccountRecord | null {
  if (a.movedToAccountId === null || a.movedToAccountId === undefined || a.suspendedAt !== null) return null;
  const target = ctx.movedTo?.get(a.movedToAccountId);
  if (!target || target.id === a.id || target.suspendedAt !== null) return null;
  return target.user === null || (target.user.confirmed && target.user.approved) ? target : null;
}

/**
 * Mastodon's Account entity. Local notes and field values are stored as plain text and rendered here; remote
 * ones arrive sanitized. A suspended account keeps its name and counts but shows nothing its owner wrote. A
 * moved account carries the account it moved to in `moved`, one level deep (the target's own move is not
 * shown there), as Mastodon does.
 */
export function renderAccount(ctx: AccountRenderContext, a: AccountRecord): Record<string, unknown> {
  const local = a.domain === null;
  const suspended = a.suspendedAt !== null;
  const avatar = pictureUrl(ctx, suspended ? null : a.avatarKey, MISSING_AVATAR_PATH);
  const header = pictureUrl(ctx, suspended ? null : a.headerKey, MISSING_HEADER_PATH);
  const role = a.user ? ROLES[a.user.role] : null;
  const out: Record<string, unknown> = {
    id: String(a.id),
    username: a.username,
    acct: local ? a.username : `${a.username}@${a.domain}`,
    display_name: suspended ? "" : a.displayName,
    locked: suspended ? false : a.locked,
    bot: suspended ? false : a.bot,
    discoverable: suspended ? false : a.discoverable,
    indexable: suspended ? false : a.indexable,
    group: a.actorType === "Group",
    created_at: iso(Math.floor(a.createdAt / DAY_MS) * DAY_MS),
    note: suspended ? "" : local ? formatPlainText(a.note) : a.note,
    url: local ? `${ctx.baseUrl}/@${a.username}` : (a.url ?? a.uri),
    uri: local ? `${ctx.baseUrl}/users/${a.username}` : (a.uri ?? a.url ?? ""),
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    followers_count: a.followersCount,
    following_count: a.followingCount,
    statuses_count: a.statusesCount,
    last_status_at: a.lastStatusAt === null ? null : iso(a.lastStatusAt).slice(0, 10),
    hide_collections: a.hideCollections,
  };
  if (local) out.noindex = a.user?.settings.noindex ?? false;
  out.emojis = suspended
    ? []
    : local
      ? emojisIn(ctx.emojis, a.displayName, a.note)
      : remoteEmojisIn(ctx.emojis, a.domain!, a.displayName, a.note, ...a.fields.flatMap((f) => [f.name, f.value]));
  out.roles = local ? (role && role.highlighted && !suspended ? [{ id: role.id, name: role.name, color: role.color }] : []) : null;
  out.fields = suspended ? [] : renderFields(a, a.fields);
  const target = movedTarget(ctx, a);
  if (target) out.moved = renderAccount({ ...ctx, movedTo: undefined }, target);
  if (suspended) out.suspended = true;
  if (a.silencedAt !== null) out.limited = true;
  if (a.memorial) out.memorial = true;
  return out;
}

/** The MutedAccount entity: an Account with the mute's expiry. */
export function renderMutedAccount(ctx: AccountRenderContext, a: AccountRecord, expiresAt: number | null): Record<string, unknown> {
  return { ...renderAccount(ctx, a), mute_expires_at: expiresAt === null ? null : iso(expiresAt) };
}

/**
 * The CredentialAccount entity (verify_credentials, update_credentials): the Account plus `source` (the plain
 * text the owner edits, and posting defaults) and the full `role`.
 */
export function renderCredentialAccount(ctx: AccountRenderContext, a: AccountRecord, followRequestsCount: number): Record<string, unknown> {
  const settings = a.user?.settings ?? {};
  return {
    ...renderAccount(ctx, a),
    source: {
      privacy: defaultVisibility(settings, a.locked),
      sensitive: settings.default_sensitive ?? false,
      language: settings.default_language ?? null,
      note: a.note,
      fields: a.fields.map((f) => ({ name: f.name, value: f.value, verified_at: f.verifiedAt === null ? null : iso(f.verifiedAt) })),
      follow_requests_count: followRequestsCount,
      hide_collections: a.hideCollections,
      discoverable: a.discoverable,
      indexable: a.indexable,
      attribution_domains: [],
      quote_policy: settings.default_quote_policy ?? "public",
    },
    role: ROLES[a.user?.role ?? "user"],
  };
}

/** Mastodon's Preferences entity. */
export function renderPreferences(a: AccountRecord): Record<string, unknown> {
  const settings = a.user?.settings ?? {};
  return {
    "posting:default:visibility": defaultVisibility(settings, a.locked),
    "posting:default:sensitive": settings.default_sensitive ?? false,
    "posting:default:language": settings.default_language ?? null,
    "posting:default:quote_policy": settings.default_quote_policy ?? "public",
    "reading:expand:media": settings.display_media ?? "default",
    "reading:expand:spoilers": settings.expand_spoilers ?? false,
    "reading:autoplay:gifs": settings.auto_play_gif ?? false,
  };
}
