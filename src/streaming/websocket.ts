import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { Connection, Frame, StreamingHub } from "./hub.ts";
import { StreamError, type StreamAuth, type StreamRequest } from "./streams.ts";

/** Where Mastodon's streaming server takes WebSocket connections. */
const WS_PATH = "/api/v1/streaming";
/** Client messages are small JSON objects ({type, stream, tag, list}). */
const MAX_CLIENT_MESSAGE = 16 * 1024;
/** Client messages waiting to be handled on one socket beyond which more are refused. */
const MAX_PENDING_MESSAGES = 32;

/** The token of an upgrade request: Authorization: Bearer, else `access_token`, else Sec-WebSocket-Protocol (masto.js). */
function bearerOf(req: IncomingMessage, url: URL): { bearer: string | null; viaProtocol: boolean } {
  const authorization = req.headers.authorization;
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return { bearer: m ? m[1] : null, viaProtocol: false };
  }
  const query = url.searchParams.get("access_token");
  if (query) return { bearer: query, viaProtocol: false };
  const protocol = req.headers["sec-websocket-protocol"];
  const first = typeof protocol === "string" ? protocol.split(",")[0].trim() : "";
  return { bearer: first || null, viaProtocol: first !== "" };
}

function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** One WebSocket client: several streams, Mastodon's JSON frames, pings, and a cut-off when it stops reading. */
class WebSocketConnection implements Connection {
  readonly transport = "websocket" as const;
  readonly auth: StreamAuth;
  readonly bearer: string;
  readonly #ws: WebSocket;
  readonly #hub: StreamingHub;
  #alive = true;
  /** The socket's messages are handled one after another, so a subscribe is done before the next message is read. */
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(ws: WebSocket, hub: StreamingHub, auth: StreamAuth, bearer: string) {
    this.#ws = ws;
    this.#hub = hub;
    this.auth = auth;
    this.bearer = bearer;
    ws.on("pong", () => {
      this.#alive = true;
    });
    ws.on("message", (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on("close", () => hub.disconnect(this));
    ws.on("error", () => ws.terminate());
  }

  write(frame: Frame): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    // ws buffers without limit when the peer stops reading: past the limit the client is cut off instead.
    if (this.#ws.bufferedAmount > this.#hub.maxBufferedBytes) {
      this.#hub.observer.dropped("websocket", "slow_client");
      this.#ws.terminate();
      return false;
    }
    // The frame built once for all sockets goes straight to the TCP socket in one write, when nothing of this
    // connection is still queued (then ws's own sends, pings included, and this one stay in order): ws's send
    // would frame it again and write header and payload separately. A large fan-out is bound by these writes.
    const socket = (this.#ws as unknown as { _socket?: Socket })._socket;
    if (frame.wsFrame && socket && this.#ws.bufferedAmount === 0) socket.write(frame.wsFrame);
    else if (frame.bytes) this.#ws.send(frame.bytes, { binary: false });
    else this.#ws.send(frame.json ?? JSON.stringify({ stream: frame.stream, event: frame.event, payload: frame.payload }));
    return true;
  }

  heartbeat(): void {
    if (!this.#alive) {
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.ping();
  }

  close(): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.close(1000);
    // A client that never answers the close handshake must not hold the socket.
    setTimeout(() => this.#ws.terminate(), 2_000).unref();
  }

  /** Subscribes as a query string or a `subscribe` message asks; refusals go back as Mastodon's `{error, status}`. */
  async subscribe(request: StreamRequest): Promise<void> {
    try {
      await this.#hub.subscribe(this, request);
    } catch (error) {
      this.#error(error);
    }
  }

  /** The stream of the connection's query string, before any message the client sends. */
  subscribeFirst(request: StreamRequest): void {
    this.#chain = this.subscribe(request);
  }

  #error(error: unknown): void {
    const e = error instanceof StreamError ? error : new StreamError(500, "An unexpected error occurred");
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ error: e.message, status: e.status }));
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let m: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(data.toString());
      if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
      m = parsed as Record<string, unknown>;
    } catch {
      this.#error(new StreamError(400, "Invalid JSON"));
      return;
    }
    const request: StreamRequest = {
      name: typeof m.stream === "string" ? m.stream : "",
      tag: typeof m.tag === "string" ? m.tag : undefined,
      list: typeof m.list === "string" ? m.list : typeof m.list === "number" ? String(m.list) : undefined,
    };
    if (this.#pending >= MAX_PENDING_MESSAGES) {
      this.#error(new StreamError(429, "Too many requests"));
      return;
    }
    this.#pending++;
    this.#chain = this.#chain
      .then(async () => {
        if (m.type === "subscribe") await this.subscribe(request);
        else if (m.type === "unsubscribe") await this.#hub.unsubscribe(this, request);
        else this.#error(new StreamError(400, "Unknown message type"));
      })
      .catch((err) => this.#error(err))
      .finally(() => {
        this.#pending--;
      });
  }
}

/**
 * Takes WebSocket upgrades at /api/v1/streaming on `server` (the HTTP server of `herd start` or `herd streaming`):
 * authenticates before accepting (a bad or missing token gets 401 and no socket), echoes a token sent as the
 * subprotocol back as the chosen protocol (browsers insist), and subscribes to `?stream=` at once (megalodon).
 */
export function attachWebSocket(server: Server, hub: StreamingHub): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE,
    perMessageDeflate: false,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://streaming.invalid");
    if (url.pathname.replace(/\/+$/, "") !== WS_PATH) {
      refuse(socket, 404, "Not Found", "Not found");
      return;
    }
    const { bearer } = bearerOf(req, url);
    if (bearer === null) {
      refuse(socket, 401, "Unauthorized", "Missing access token");
      return;
    }
    hub.authenticate(bearer).then(
      (auth) => {
        if (!auth) {
          refuse(socket, 401, "Unauthorized", "Invalid access token");
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          const connection = new WebSocketConnection(ws, hub, auth, bearer);
          hub.connect(connection);
          const stream = url.searchParams.get("stream");
          if (stream) connection.subscribeFirst({ name: stream, tag: url.searchParams.get("tag") ?? undefined, list: url.searchParams.get("list") ?? undefined });
        });
      },
      () => refuse(socket, 503, "Service Unavailable", "The streaming server cannot check tokens right now"),
    );
  });
  return wss;
}
