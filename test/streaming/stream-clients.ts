import { WebSocket } from "ws";
import { listen, type RunningServer } from "../../src/app/http-server.ts";
import { apiDeps, createClientApp } from "../../src/app/roles.ts";
import { streamingMetrics } from "../../src/app/streaming-metrics.ts";
import { StreamingHub, type StreamingOptions } from "../../src/streaming/hub.ts";
import { attachWebSocket } from "../../src/streaming/websocket.ts";
import type { TestApp } from "../support/test-app.ts";

/** A frame as a WebSocket client receives it, with the payload parsed where it is JSON. */
export interface Received {
  readonly stream?: string[];
  readonly event?: string;
  readonly payload?: string;
  readonly error?: string;
  readonly status?: number;
  /** The payload parsed (update, notification…); the raw string for delete. */
  readonly body?: any;
}

const WAIT_MS = 10_000;

/** Collects messages and lets a test wait (boundedly) for one that matches. */
class Inbox<T> {
  readonly all: T[] = [];
  #waiters: { match: (m: T) => boolean; resolve: (m: T) => void }[] = [];

  push(m: T): void {
    this.all.push(m);
    for (const w of [...this.#waiters])
      if (w.match(m)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(m);
      }
  }

  next(match: (m: T) => boolean, what: string, timeoutMs = WAIT_MS): Promise<T> {
    const found = this.all.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.all).slice(0, 1500)}`)), timeoutMs);
      this.#waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }
}

/** A WebSocket client of the streaming API. */
export class StreamSocket {
  readonly ws: WebSocket;
  readonly inbox = new Inbox<Received>();
  readonly closed: Promise<number>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("message", (data) => {
      const m = JSON.parse(data.toString()) as Received & Record<string, unknown>;
      let body: unknown = m.payload;
      if (typeof m.payload === "string" && m.event !== "delete" && m.event !== "announcement.delete") body = JSON.parse(m.payload);
      this.inbox.push({ ...m, body });
    });
  }

  /** Opens a socket; resolves once open, rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<StreamSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
      const client = new StreamSocket(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`refused with ${res.statusCode}`), { statusCode: res.statusCode })));
      ws.once("error", reject);
    });
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /**
   * Subscribes and waits until the subscription is live: the server handles a socket's messages in order, so
   * the answer to a later bogus message proves the subscribe before it was done.
   */
  async subscribe(stream: string, extra: Record<string, string> = {}): Promise<void> {
    this.send({ type: "subscribe", stream, ...extra });
    await this.roundTrip();
  }

  async unsubscribe(stream: string, extra: Record<string, string> = {}): Promise<void> {
    this.send({ type: "unsubscribe", stream, ...extra });
    await this.roundTrip();
  }

  /** Waits until the server has handled every message sent so far. */
  async roundTrip(): Promise<void> {
    const want = ++this.#probes;
    this.send({ type: "probe" });
    await this.inbox.next(() => this.inbox.all.filter((m) => m.error === "Unknown message type").length >= want, "the server to answer");
  }
  #probes = 0;

  /** The next event matching, on the stream named `stream[0]`. */
  event(stream: string, event: string, match: (m: Received) => boolean = () => true): Promise<Received> {
    return this.inbox.next((m) => m.stream?.[0] === stream && m.event === event && match(m), `${event} on ${stream}`);
  }

  events(stream: string, event?: string): Received[] {
    return this.inbox.all.filter((m) => m.stream?.[0] === stream && (event === undefined || m.event === event));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** An SSE event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** A server-sent-events client over fetch's streaming body. */
export class StreamEvents {
  readonly inbox = new Inbox<SseEvent>();
  readonly comments: string[] = [];
  readonly #abort: AbortController;
  readonly done: Promise<void>;

  private constructor(body: ReadableStream<Uint8Array>, abort: AbortController) {
    this.#abort = abort;
    this.done = this.#read(body);
  }

  /** Opens an SSE stream; resolves with the client, or with the refusal's status and body. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<StreamEvents | { status: number; body: any }> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
    if (res.status !== 200) return { status: res.status, body: await res.json() };
    return new StreamEvents(res.body!, abort);
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0 || (buffer.startsWith(":") && (end = buffer.indexOf("\n")) >= 0)) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + (buffer[end + 1] === "\n" ? 2 : 1));
          if (block.startsWith(":")) {
            this.comments.push(block);
            continue;
          }
          const fields = Object.fromEntries(block.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
          this.inbox.push({ event: fields.event, data: fields.data });
        }
      }
    } catch {
      // Aborted by close().
    }
  }

  next(event: string, match: (e: SseEvent) => boolean = () => true): Promise<SseEvent> {
    return this.inbox.next((e) => e.event === event && match(e), `SSE ${event}`);
  }

  close(): void {
    this.#abort.abort();
  }
}

/** Subscriptions to `stream` open on the server, from its metrics. */
export async function subscriptionsTo(s: StreamingServer, stream: string): Promise<number> {
  const text = await fetch(`${s.http}/metrics`).then((r) => r.text());
  let total = 0;
  for (const m of text.matchAll(/^herd_streaming_connected_channels\{([^}]*)\} (\d+)/gm)) if (m[1].includes(`channel="${stream}"`)) total += Number(m[2]);
  return total;
}

/** Waits (boundedly) until `check` holds. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The test app listening on loopback with the streaming server on the same port, as `herd start` serves it. */
export interface StreamingServer {
  readonly hub: StreamingHub;
  readonly server: RunningServer;
  readonly http: string;
  readonly ws: string;
  close(): Promise<void>;
}

export async function listenWithStreaming(t: TestApp, options: StreamingOptions = {}, port = 0): Promise<StreamingServer> {
  const hub = new StreamingHub(
    { ...apiDeps(t.container), pubsub: t.container.pubsub },
    { ...options, observer: options.observer ?? streamingMetrics(t.container.metrics.registry) },
  );
  const server = await listen(createClientApp(t.container, hub), "127.0.0.1", port, (s) => void attachWebSocket(s, hub));
  return {
    hub,
    server,
    http: `http://127.0.0.1:${server.port}`,
    ws: `ws://127.0.0.1:${server.port}/api/v1/streaming`,
    async close() {
      await hub.close();
      await server.close(1_000);
    },
  };
}
