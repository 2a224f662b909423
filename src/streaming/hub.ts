import type { ApiDeps } from "../http/mastodon/context.ts";
import type { PubSub } from "../ports/pubsub.ts";
import { resolveAccessToken } from "../services/auth/access-tokens.ts";
import { parseStreamMessage, type StreamMessage } from "../services/streaming/channels.ts";
import { NO_OBSERVER, type StreamingObserver, type Transport } from "./observer.ts";
import { EventRenderer, type Target } from "./render.ts";
import { resolveStream, StreamError, type ChannelKind, type ResolvedStream, type StreamAuth, type StreamRequest } from "./streams.ts";

/** What the streaming server uses: the API's ports (it renders the same entities) and the pub/sub. */
export interface StreamingDeps extends ApiDeps {
  readonly pubsub: PubSub;
}

export interface StreamingOptions {
  /** A connection with more than this many bytes not yet taken by the client is cut off (default 4 MiB). */
  readonly maxBufferedBytes?: number;
  /** How often each connection's token is checked again, so a revoked token's connections close (default 5 s). */
  readonly tokenCheckMs?: number;
  /** WebSocket ping and SSE heartbeat interval (default 30 s; SSE heartbeats every half of it). */
  readonly heartbeatMs?: number;
  /** Streams one connection may hold at once (default 64). */
  readonly maxSubscriptions?: number;
  /**
   * Deliveries (event × local subscriber) waiting to be rendered beyond which new events are dropped (default
   * 1,000,000: a few megabytes), so a burst the process cannot keep up with costs bounded memory.
   */
  readonly maxQueuedDeliveries?: number;
  readonly observer?: StreamingObserver;
}

/** One event as a transport writes it: Mastodon's `{stream, event, payload}` (payload absent for filters_changed). */
export interface Frame {
  readonly stream: readonly string[];
  readonly event: string;
  readonly payload?: string;
  /** The frame as WebSocket JSON, when the hub already encoded it for other subscribers of the same stream. */
  readonly json?: string;
  /** `json` as UTF-8, encoded once for all those subscribers (encoding it per socket dominated a large fan-out). */
  readonly bytes?: Buffer;
  /**
   * `bytes` as one complete unmasked WebSocket text frame (header and payload), built once for all those
   * subscribers, so a socket takes it in a single write instead of ws framing it again for each.
   */
  readonly wsFrame?: Buffer;
}

/** A server's (unmasked) WebSocket text frame of `payload`: RFC 6455 §5.2. */
export function webSocketTextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + n);
  frame[0] = 0x81; // FIN, text
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, header);
  return frame;
}

/** A client connection as the hub sees it; the transports (WebSocket, SSE) implement it. */
export interface Connection {
  readonly transport: Transport;
  readonly auth: StreamAuth;
  /** The bearer token it authenticated with, checked again every tokenCheckMs. */
  readonly bearer: string;
  /** Writes one event; false when the client is too slow and the connection was cut off instead. */
  write(frame: Frame): boolean;
  /** Keep-alive: a WebSocket ping (and a cut-off when the last one went unanswered), an SSE comment. */
  heartbeat(): void;
  /** Closes the connection; the transport then calls StreamingHub.disconnect. */
  close(): void;
}

interface Subscription {
  readonly connection: Connection;
  readonly stream: ResolvedStream;
  /** Its entry in each channel's targets, so leaving costs no scan of a channel's other subscribers. */
  readonly targets: Map<string, ChannelTarget>;
  active: boolean;
}

interface ChannelTarget {
  readonly sub: Subscription;
  readonly kind: ChannelKind;
}

interface ChannelEntry {
  readonly targets: Set<ChannelTarget>;
  readonly unsubscribe: Promise<(() => Promise<void>) | null>;
}

interface Queued {
  readonly message: StreamMessage;
  readonly targets: readonly ChannelTarget[];
}

/**
 * The streaming server's core, shared by both transports: authenticates, subscribes connections to streams,
 * listens on each PubSub channel that has local subscribers (one handler per channel, fanned in here), and
 * renders each event once for all its local subscribers (EventRenderer), writing it to each group of subscribers
 * (one account's connections) as soon as that group's checks are done, as one prebuilt WebSocket frame.
 * Events are handled in arrival order, one at a time, so a `delete` never overtakes the `update` before it;
 * consecutive events about the same status (one post reaching many channels) are rendered together.
 */
export class StreamingHub {
  readonly #deps: StreamingDeps;
  readonly #renderer: EventRenderer;
  readonly #observer: StreamingObserver;
  readonly #options: Required<Omit<StreamingOptions, "observer">>;
  readonly #connections = new Map<Connection, Map<string, Subscription>>();
  readonly #channels = new Map<string, ChannelEntry>();
  readonly #timers: NodeJS.Timeout[] = [];
  #queue: Queued[] = [];
  #queuedDeliveries = 0;
  #flushing = false;
  #checkingTokens = false;
  #closed = false;

  constructor(deps: StreamingDeps, options: StreamingOptions = {}) {
    this.#deps = deps;
    this.#renderer = new EventRenderer(deps);
    this.#observer = options.observer ?? NO_OBSERVER;
    this.#options = {
      maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
      tokenCheckMs: options.tokenCheckMs ?? 5_000,
      heartbeatMs: options.heartbeatMs ?? 30_000,
      maxSubscriptions: options.maxSubscriptions ?? 64,
      maxQueuedDeliveries: options.maxQueuedDeliveries ?? 1_000_000,
    };
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#options.heartbeatMs, () => {
      for (const c of this.#connections.keys()) if (c.transport === "websocket") c.heartbeat();
    });
    every(Math.max(1_000, Math.floor(this.#options.heartbeatMs / 2)), () => {
      for (const c of this.#connections.keys()) if (c.transport === "eventsource") c.heartbeat();
    });
    every(this.#options.tokenCheckMs, () => void this.#checkTokens());
  }

  get maxBufferedBytes(): number {
    return this.#options.maxBufferedBytes;
  }

  get observer(): StreamingObserver {
    return this.#observer;
  }

  /** The token's user and scopes, or null when it is unknown, revoked, or not a user's (Mastodon requires a user token). */
  async authenticate(bearer: string): Promise<StreamAuth | null> {
    const token = await resolveAccessToken(this.#deps, bearer);
    if (!token || token.accountId === null) return null;
    return { tokenId: token.tokenId, accountId: token.accountId, scopes: token.scopes };
  }

  /** Starts tracking a connection (after authentication). */
  connect(connection: Connection): void {
    if (this.#closed) {
      connection.close();
      return;
    }
    this.#connections.set(connection, new Map());
    this.#observer.connection(connection.transport, 1);
  }

  /** Checks the request against the token and subscribes the connection to the stream; throws StreamError. */
  async subscribe(connection: Connection, request: StreamRequest): Promise<void> {
    const resolved = await resolveStream(this.#deps, connection.auth, request);
    const subs = this.#connections.get(connection);
    if (!subs || subs.has(resolved.key)) return;
    if (subs.size >= this.#options.maxSubscriptions) throw new StreamError(400, "Too many subscriptions");
    const sub: Subscription = { connection, stream: resolved, targets: new Map(), active: true };
    subs.set(resolved.key, sub);
    this.#observer.subscription(connection.transport, resolved.stream[0], 1);
    const joined = await Promise.all(
      resolved.channels.map(({ channel, kind }) => {
        const target = { sub, kind };
        sub.targets.set(channel, target);
        return this.#join(channel, target);
      }),
    );
    if (joined.includes(false)) {
      this.#drop(sub);
      throw new StreamError(503, "The stream is unavailable, try again later");
    }
  }

  /** Leaves a stream (a stream not subscribed is ignored, as Mastodon does). */
  async unsubscribe(connection: Connection, request: StreamRequest): Promise<void> {
    let resolved: ResolvedStream;
    try {
      resolved = await resolveStream(this.#deps, connection.auth, request);
    } catch {
      return;
    }
    const sub = this.#connections.get(connection)?.get(resolved.key);
    if (sub) this.#drop(sub);
  }

  /** Forgets a closed connection and its subscriptions (idempotent). */
  disconnect(connection: Connection): void {
    const subs = this.#connections.get(connection);
    if (!subs) return;
    for (const sub of [...subs.values()]) this.#drop(sub);
    this.#connections.delete(connection);
    this.#observer.connection(connection.transport, -1);
  }

  /** Number of open connections (for tests and health). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Closes every connection and leaves every channel. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    for (const c of [...this.#connections.keys()]) {
      c.close();
      this.disconnect(c);
    }
    const pending = [...this.#channels.values()].map((e) => e.unsubscribe);
    this.#channels.clear();
    await Promise.all(pending.map(async (p) => (await p.catch(() => null))?.().catch(() => undefined)));
  }

  #drop(sub: Subscription): void {
    if (!sub.active) return;
    sub.active = false;
    this.#connections.get(sub.connection)?.delete(sub.stream.key);
    this.#observer.subscription(sub.connection.transport, sub.stream.stream[0], -1);
    for (const { channel } of sub.stream.channels) {
      const entry = this.#channels.get(channel);
      if (!entry) continue;
      const target = sub.targets.get(channel);
      if (target) entry.targets.delete(target);
      if (entry.targets.size === 0) {
        this.#channels.delete(channel);
        void entry.unsubscribe.then((leave) => leave?.()).catch(() => undefined);
      }
    }
  }

  /** Adds the target to the channel, subscribing the process to it first if needed; false when the pub/sub refused. */
  async #join(channel: string, target: ChannelTarget): Promise<boolean> {
    let entry = this.#channels.get(channel);
    if (!entry) {
      const created: ChannelEntry = {
        targets: new Set(),
        unsubscribe: this.#deps.pubsub.subscribe(channel, (text) => this.#receive(channel, text)).catch((err) => {
          this.#deps.log.warn({ err, channel }, "streaming: could not subscribe to a channel");
          if (this.#channels.get(channel) === created) this.#channels.delete(channel);
          return null;
        }),
      };
      this.#channels.set(channel, created);
      entry = created;
    }
    entry.targets.add(target);
    return (await entry.unsubscribe) !== null;
  }

  #receive(channel: string, text: string): void {
    const entry = this.#channels.get(channel);
    if (!entry || entry.targets.size === 0) return;
    const message = parseStreamMessage(text);
    if (!message) return;
    if (this.#queuedDeliveries + entry.targets.size > this.#options.maxQueuedDeliveries) {
      this.#observer.dropped("queue", "overflow");
      return;
    }
    this.#queuedDeliveries += entry.targets.size;
    this.#queue.push({ message, targets: [...entry.targets] });
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => void this.#flush());
    }
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#queue;
        this.#queue = [];
        for (const q of batch) this.#queuedDeliveries -= q.targets.length;
        for (let i = 0; i < batch.length; ) {
          // Consecutive events about the same status are rendered as one, for all their subscribers.
          const first = batch[i];
          const targets = [...first.targets];
          let j = i + 1;
          while (j < batch.length && sameStatusEvent(first.message, batch[j].message)) targets.push(...batch[j++].targets);
          i = j;
          try {
            await this.#deliver(first.message, targets);
          } catch (err) {
            this.#deps.log.error({ err, event: first.message.event }, "streaming: delivering an event failed");
          }
        }
      }
    } finally {
      this.#flushing = false;
      if (this.#queue.length > 0 && !this.#closed) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    }
  }

  async #deliver(message: StreamMessage, all: readonly ChannelTarget[]): Promise<void> {
    const targets = all.filter((t) => t.sub.active);
    if (targets.length === 0) return;
    // Thousands of subscribers of one stream get the same payload: encode each (stream, payload) frame once.
    // (Keyed by the payload string itself: V8 hashes a string once, so a lookup does not rescan it.)
    const encoded = new Map<string, Map<string, Frame>>();
    const write = (t: ChannelTarget, payload?: string) => {
      if (!t.sub.active) return;
      let byStream = encoded.get(payload ?? "");
      if (!byStream) encoded.set(payload ?? "", (byStream = new Map()));
      let frame = byStream.get(t.sub.stream.key);
      if (frame === undefined) {
        const stream = t.sub.stream.stream;
        const base: Frame = payload === undefined ? { stream, event: message.event } : { stream, event: message.event, payload };
        const json = JSON.stringify(base);
        const bytes = Buffer.from(json);
        frame = { ...base, json, bytes, wsFrame: webSocketTextFrame(bytes) };
        byStream.set(t.sub.stream.key, frame);
      }
      if (t.sub.connection.write(frame)) this.#observer.sent(t.sub.connection.transport, message.event);
    };
    switch (message.event) {
      case "update":
      case "status.update": {
        await this.#renderer.statusPayloads(
          BigInt(message.statusId),
          message.event,
          targets,
          (t): Target => ({ accountId: t.sub.connection.auth.accountId, kind: t.kind, filterContext: t.sub.stream.filterContext }),
          (group, payload) => {
            for (const t of group) write(t, payload);
          },
        );
        return;
      }
      case "delete":
        for (const t of targets) write(t, message.statusId);
        return;
      case "notification": {
        const byAccount = new Map<bigint, Promise<string | null>>();
        for (const t of targets) {
          const id = t.sub.connection.auth.accountId;
          if (!byAccount.has(id)) byAccount.set(id, this.#renderer.notificationPayload(BigInt(message.notificationId), id));
        }
        for (const t of targets) {
          const payload = await byAccount.get(t.sub.connection.auth.accountId)!;
          if (payload !== null) write(t, payload);
        }
        return;
      }
      case "conversation":
        for (const t of targets) {
          const payload = await this.#renderer.conversationPayload(BigInt(message.conversationId), BigInt(message.statusId), t.sub.connection.auth.accountId);
          if (payload !== null) write(t, payload);
        }
        return;
      case "filters_changed":
        for (const t of targets) write(t);
        return;
      case "notifications_merged":
        for (const t of targets) write(t, "1");
        return;
      case "announcement":
        for (const t of targets) {
          const payload = await this.#renderer.announcementPayload(BigInt(message.announcementId), t.sub.connection.auth.accountId);
          if (payload !== null) write(t, payload);
        }
        return;
      case "announcement.delete":
        for (const t of targets) write(t, message.announcementId);
        return;
      case "announcement.reaction": {
        const payload = JSON.stringify({ name: message.name, count: message.count, announcement_id: message.announcementId });
        for (const t of targets) write(t, payload);
        return;
      }
    }
  }

  /** Closes the connections whose token no longer resolves to the same account (revoked, expired, user disabled). */
  async #checkTokens(): Promise<void> {
    if (this.#checkingTokens || this.#connections.size === 0) return;
    this.#checkingTokens = true;
    try {
      const byBearer = new Map<string, Connection[]>();
      for (const c of this.#connections.keys()) {
        const list = byBearer.get(c.bearer);
        if (list) list.push(c);
        else byBearer.set(c.bearer, [c]);
      }
      const entries = [...byBearer];
      for (let i = 0; i < entries.length; i += 100)
        await Promise.all(
          entries.slice(i, i + 100).map(async ([bearer, connections]) => {
            const auth = await this.authenticate(bearer).catch(() => undefined);
            // A backend error proves nothing about the token: keep the connections until the next check.
            if (auth === undefined) return;
            for (const c of connections) if (auth === null || auth.accountId !== c.auth.accountId) c.close();
          }),
        );
    } finally {
      this.#checkingTokens = false;
    }
  }
}

function sameStatusEvent(a: StreamMessage, b: StreamMessage): boolean {
  return (a.event === "update" || a.event === "status.update") && a.event === b.event && a.statusId === (b as { statusId: string }).statusId;
}
