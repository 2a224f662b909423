import { scopeAllows } from "../domain/scopes.ts";
import { parseId } from "../domain/ids.ts";
import type { Database } from "../ports/database.ts";
import type { FilterContext } from "../services/filters/apply-filters.ts";
import {
  ANNOUNCEMENTS_CHANNEL,
  directChannel,
  hashtagChannel,
  homeChannel,
  listChannel,
  notificationsChannel,
  publicChannel,
} from "../services/streaming/channels.ts";

/** The streams of Mastodon's streaming API. */
export const STREAM_NAMES = [
  "user", "user:notification", "public", "public:media", "public:local", "public:local:media",
  "public:remote", "public:remote:media", "hashtag", "hashtag:local", "list", "direct",
] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

/** What a client asked for: a stream, with its tag or list. */
export interface StreamRequest {
  readonly name: string;
  readonly tag?: string;
  readonly list?: string;
}

/** How the events of one channel are checked and rendered for a subscriber. */
export type ChannelKind = "home" | "notifications" | "public" | "list" | "direct" | "announcements";

/** A stream a connection may subscribe to: its channels and what its events carry. */
export interface ResolvedStream {
  /** Identifies the subscription on its connection (a second subscribe to it does nothing). */
  readonly key: string;
  /** The `stream` array Mastodon sends with every event: the name, then the tag or list id. */
  readonly stream: readonly string[];
  readonly channels: readonly { readonly channel: string; readonly kind: ChannelKind }[];
  /** Whose filters apply, in which context. */
  readonly filterContext: FilterContext;
}

/** A refusal, rendered as Mastodon's streaming server renders it (`{"error": …}`, and `status` on WebSocket). */
export class StreamError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "StreamError";
    this.status = status;
  }
}

/** The signed-in side of a connection. */
export interface StreamAuth {
  readonly tokenId: bigint;
  readonly accountId: bigint;
  readonly scopes: readonly string[];
}

const isStreamName = (name: string): name is StreamName => (STREAM_NAMES as readonly string[]).includes(name);

/**
 * Mastodon's checkScopes: `user:notification` needs `read:notifications`, every other stream `read:statuses`
 * (or `read`, which holds both). The user stream carries notifications only when the token may read them.
 */
function requireScope(auth: StreamAuth, name: StreamName): void {
  const needed = name === "user:notification" ? "read:notifications" : "read:statuses";
  if (!scopeAllows(auth.scopes, needed)) throw new StreamError(401, "Access token does not cover required scopes");
}

/**
 * Checks a stream request against the token and names its channels (Mastodon's channelNameToIds). A list must
 * be the account's own; a hashtag stream needs a tag.
 */
export async function resolveStream(deps: { readonly db: Database }, auth: StreamAuth, request: StreamRequest): Promise<ResolvedStream> {
  const name = request.name;
  if (!isStreamName(name)) throw new StreamError(400, "Unknown stream type");
  requireScope(auth, name);
  const me = auth.accountId;
  switch (name) {
    case "user": {
      const channels: { channel: string; kind: ChannelKind }[] = [{ channel: homeChannel(me), kind: "home" }];
      if (scopeAllows(auth.scopes, "read:notifications")) channels.push({ channel: notificationsChannel(me), kind: "notifications" });
      channels.push({ channel: ANNOUNCEMENTS_CHANNEL, kind: "announcements" });
      return { key: name, stream: [name], channels, filterContext: "home" };
    }
    case "user:notification":
      return { key: name, stream: [name], channels: [{ channel: notificationsChannel(me), kind: "notifications" }], filterContext: "notifications" };
    case "direct":
      return { key: name, stream: [name], channels: [{ channel: directChannel(me), kind: "direct" }], filterContext: "thread" };
    case "hashtag":
    case "hashtag:local": {
      const tag = request.tag?.trim().replace(/^#/, "");
      if (!tag) throw new StreamError(400, "Missing tag name parameter");
      const stream = [name, request.tag!];
      return { key: stream.join("\u0000"), stream, channels: [{ channel: hashtagChannel(tag, name === "hashtag:local"), kind: "public" }], filterContext: "public" };
    }
    case "list": {
      const id = request.list === undefined ? null : parseId(request.list);
      if (request.list === undefined || request.list === "") throw new StreamError(400, "Missing list name parameter");
      if (id === null || !(await deps.db.repos.lists.find(me, id))) throw new StreamError(401, "Not authorized to stream this list");
      const stream = [name, request.list];
      return { key: stream.join("\u0000"), stream, channels: [{ channel: listChannel(id), kind: "list" }], filterContext: "home" };
    }
    default: {
      const [, scope = "all", media] = /^public(?::(local|remote))?(?::(media))?$/.exec(name)! as (string | undefined)[];
      const channel = publicChannel((scope ?? "all") as "all" | "local" | "remote", media === "media");
      return { key: name, stream: [name], channels: [{ channel, kind: "public" }], filterContext: "public" };
    }
  }
}

const TRUE = new Set(["1", "true", "t", "on", "yes"]);

/** The stream an SSE path names (Mastodon's channelNameFromPath), with `only_media`; null for an unknown path. */
export function streamFromPath(path: string, query: URLSearchParams): StreamRequest | null {
  const onlyMedia = TRUE.has((query.get("only_media") ?? "").toLowerCase());
  const tag = query.get("tag") ?? undefined;
  const list = query.get("list") ?? undefined;
  switch (path.replace(/\/+$/, "")) {
    case "/api/v1/streaming/user":
      return { name: "user" };
    case "/api/v1/streaming/user/notification":
      return { name: "user:notification" };
    case "/api/v1/streaming/public":
      return { name: onlyMedia ? "public:media" : "public" };
    case "/api/v1/streaming/public/local":
      return { name: onlyMedia ? "public:local:media" : "public:local" };
    case "/api/v1/streaming/public/remote":
      return { name: onlyMedia ? "public:remote:media" : "public:remote" };
    case "/api/v1/streaming/hashtag":
      return { name: "hashtag", tag };
    case "/api/v1/streaming/hashtag/local":
      return { name: "hashtag:local", tag };
    case "/api/v1/streaming/list":
      return { name: "list", list };
    case "/api/v1/streaming/direct":
      return { name: "direct" };
    default:
      return null;
  }
}
