import type { DocumentLoader } from "@fedify/fedify";
import { parseId } from "../../domain/ids.ts";
import type { InstanceSettings } from "../../domain/instance.ts";
import type { Database } from "../../ports/database.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { RemoteActors } from "../remote-actors.ts";
import type { Lookup } from "./ingest-env.ts";

/** A local username from a path segment, or null when the segment is not one. */
function segment(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/**
 * What a URL on this instance names, as Herd shapes its URLs (LocalUris): /users/{username} (or the profile page
 * /@{username}) for an account, /users/{username}/statuses/{id} (or /@{username}/{id}) for a status. Fragments
 * and a trailing slash are ignored; anything else names nothing.
 */
export function parseLocalUrl(url: URL, baseUrl: string): { username: string; statusId: bigint | null } | null {
  if (url.origin !== new URL(baseUrl).origin || url.search !== "") return null;
  const path = url.pathname.replace(/\/$/, "");
  const m = /^\/users\/([^/]+)(?:\/statuses\/(\d{1,20}))?$/.exec(path) ?? /^\/@([^/]+)(?:\/(\d{1,20}))?$/.exec(path);
  if (!m) return null;
  const username = segment(m[1]);
  if (username === null) return null;
  if (m[2] === undefined) return { username, statusId: null };
  const statusId = parseId(m[2]);
  return statusId === null ? null : { username, statusId };
}

const FOLLOWERS_URL_TTL_MS = 600_000;
const FOLLOWERS_URLS_MAX = 10_000;

/**
 * The inbox's Lookup over the database and RemoteActors: local objects by their URLs, remote ones by their ids.
 * Deleted statuses and boosts are never returned (nobody can like or reply to them).
 */
export function databaseLookup(deps: { db: Database; instance: InstanceSettings; actors: RemoteActors; loader: DocumentLoader }): Lookup {
  const repos = deps.db.repos;
  const base = deps.instance.baseUrl;
  const localAccount = async (uri: URL): Promise<AccountRecord | null> => {
    const local = parseLocalUrl(uri, base);
    if (!local || local.statusId !== null) return null;
    const account = await repos.accounts.findLocalRecord(local.username);
    return account && account.domain === null && account.username === local.username ? account : null;
  };
  // Every post's audience is read against its author's followers collection, which no server ever moves: kept
  // for a while rather than read again for each of a busy author's posts.
  const followersUrls = new Map<bigint, { url: string | null; at: number }>();
  const usable = (s: StatusRecord | null): StatusRecord | null => (s && s.deletedAt === null && s.reblogOfId === null ? s : null);
  return {
    async remoteActor(uri, options) {
      if (uri.origin === new URL(base).origin) return null;
      const account = await deps.actors.resolveActor(uri, options);
      return account && account.domain !== null ? account : null;
    },
    async knownRemoteActor(uri) {
      const account = await repos.accounts.findByUri(uri.href);
      return account && account.domain !== null ? account : null;
    },
    localAccount,
    async status(uri) {
      const local = parseLocalUrl(uri, base);
      if (local) {
        if (local.statusId === null) return null;
        const [status, author] = await Promise.all([repos.statuses.findById(local.statusId), repos.accounts.findLocalRecord(local.username)]);
        return status && author && status.accountId === author.id ? usable(status) : null;
      }
      if (uri.origin === new URL(base).origin) return null;
      return usable(await repos.statuses.findByUri(uri.href));
    },
    async followers(account) {
      const hit = followersUrls.get(account.id);
      if (hit && Date.now() - hit.at < FOLLOWERS_URL_TTL_MS) return hit.url;
      const url = (await repos.accounts.federationInfo([account.id])).get(account.id)?.followersUrl ?? null;
      if (followersUrls.size >= FOLLOWERS_URLS_MAX) followersUrls.clear();
      followersUrls.set(account.id, { url, at: Date.now() });
      return url;
    },
    async featured(account) {
      if (!account.uri) return null;
      try {
        const { document } = await deps.loader(account.uri);
        const featured = (document as { featured?: unknown } | null)?.featured;
        if (typeof featured === "string") return featured;
        const id = (featured as { id?: unknown } | null)?.id;
        return typeof id === "string" ? id : null;
      } catch {
        return null;
      }
    },
  };
}
