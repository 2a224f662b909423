import type { Context, Hono } from "hono";
import type { Connection, Frame, StreamingHub } from "./hub.ts";
import { StreamError, streamFromPath, type StreamAuth } from "./streams.ts";

const encoder = new TextEncoder();

/** One server-sent-events client: one stream, `event:`/`data:` lines, `:thump` heartbeats, cut off when it stops reading. */
class EventSourceConnection implements Connection {
  readonly transport = "eventsource" as const;
  readonly auth: StreamAuth;
  readonly bearer: string;
  readonly #hub: StreamingHub;
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #closed = false;

  constructor(hub: StreamingHub, auth: StreamAuth, bearer: string) {
    this.#hub = hub;
    this.auth = auth;
    this.bearer = bearer;
  }

  /** The response body: bytes queue in the stream until the socket takes them, so its desiredSize measures backlog. */
  body(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          // Sends the headers at once: clients wait for them before they count as connected.
          controller.enqueue(encoder.encode(":)\n"));
        },
        cancel: () => this.#finish(),
      },
      { highWaterMark: this.#hub.maxBufferedBytes, size: (chunk) => chunk.byteLength },
    );
  }

  #send(text: string): boolean {
    const c = this.#controller;
    if (this.#closed || !c) return false;
    if ((c.desiredSize ?? 0) <= 0) {
      this.#hub.observer.dropped("eventsource", "slow_client");
      this.close();
      return false;
    }
    c.enqueue(encoder.encode(text));
    return true;
  }

  write(frame: Frame): boolean {
    // Mastodon sends `undefined` as the data of a payload-less event over SSE.
    return this.#send(`event: ${frame.event}\ndata: ${frame.payload ?? "undefined"}\n\n`);
  }

  heartbeat(): void {
    this.#send(":thump\n");
  }

  close(): void {
    if (this.#closed) return;
    try {
      this.#controller?.close();
    } catch {
      // Already errored or closed by the client going away.
    }
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.disconnect(this);
  }
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Authorization, Accept, Cache-Control",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
};

function errorResponse(c: Context, status: number, message: string): Response {
  return c.json({ error: message }, status as 400, CORS);
}

/**
 * Mounts the streaming API's HTTP side on `app`: the health check and the server-sent-events streams
 * (/api/v1/streaming/user, /public, /hashtag?tag=…, /list?list=…, …). Mount before the client API, whose
 * middleware does not apply here: streaming answers with its own CORS headers and errors, as Mastodon's does.
 */
export function mountStreaming(app: Hono<any>, hub: StreamingHub): void {
  // Mastodon's streaming server answers its health check here; load balancers are set up for it.
  app.get("/api/v1/streaming/health", (c) => c.text("OK", 200, { "Cache-Control": "no-store", ...CORS }));
  app.options("/api/v1/streaming/*", (c) => c.body(null, 204, CORS));
  app.get("/api/v1/streaming/*", async (c) => {
    const url = new URL(c.req.url);
    const request = streamFromPath(url.pathname, url.searchParams);
    if (!request) return errorResponse(c, 400, "Unknown channel requested");
    const header = c.req.header("authorization");
    const bearer = header ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null) : url.searchParams.get("access_token");
    if (!bearer) return errorResponse(c, 401, header ? "Invalid access token" : "Missing access token");
    const auth = await hub.authenticate(bearer);
    if (!auth) return errorResponse(c, 401, "Invalid access token");
    const connection = new EventSourceConnection(hub, auth, bearer);
    const body = connection.body();
    hub.connect(connection);
    try {
      await hub.subscribe(connection, request);
    } catch (error) {
      connection.close();
      if (error instanceof StreamError) return errorResponse(c, error.status, error.message);
      throw error;
    }
    return new Response(body, {
      status: 200,
      headers: {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
        ...CORS,
      },
    });
  });
}
