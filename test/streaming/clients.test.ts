import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { createRestAPIClient, createStreamingAPIClient, type mastodon } from "masto";
import megalodon from "megalodon";
import { expectStatus } from "../support/accounts.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { eventually, listenWithStreaming, subscriptionsTo, type StreamingServer } from "./stream-clients.ts";

// megalodon is CommonJS: under Node's ESM loader its default export arrives as `.default`.
const generator = megalodon.default;

/** A port nothing listens on, to configure STREAMING_API_BASE_URL before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.once("error", reject);
  });
}

/** Collects what a client library hands over, for bounded waits. */
class Seen<T> {
  readonly all: T[] = [];
  #waiters: (() => void)[] = [];
  push(v: T) {
    this.all.push(v);
    for (const w of this.#waiters.splice(0)) w();
  }
  async find(match: (v: T) => boolean, what: string): Promise<T> {
    const end = Date.now() + 10_000;
    for (;;) {
      const hit = this.all.find(match);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
}

/**
 * masto.js and megalodon, unchanged, find the streaming server from the instance endpoints (v2
 * configuration.urls.streaming, v1 urls.streaming_api), connect the way they do (token as subprotocol, one
 * socket with subscribe messages; token in the query, one socket per stream) and receive a post, a
 * notification, an edit and a delete made through the API.
 */
describe("streaming with masto.js and megalodon", () => {
  let t: TestApp;
  let s: StreamingServer;
  let masto: mastodon.streaming.Client | undefined;
  let mega: { stop(): void } | undefined;

  before(async () => {
    const port = await freePort();
    t = await startTestApp("sqlite", { STREAMING_API_BASE_URL: `ws://127.0.0.1:${port}` });
    s = await listenWithStreaming(t, {}, port);
  });
  after(async () => {
    masto?.close();
    mega?.stop();
    await s?.close();
    await t?.close();
  });

  it("points REST clients at the streaming host: /api/v1/streaming redirects there", async () => {
    const res = await t.request("GET", "/api/v1/streaming?stream=public");
    assert.equal(res.status, 301);
    assert.equal(res.headers.get("location"), `http://${new URL(s.http).host}/api/v1/streaming?stream=public`);
  });

  it("receives update, notification, status.update and delete", async () => {
    const alice = await t.user("clients_alice");
    const bob = await t.user("clients_bob");
    expectStatus(await t.request("POST", `/api/v1/accounts/${bob.accountId}/follow`, { token: alice.token }), 200);

    const instance = await createRestAPIClient({ url: s.http, accessToken: alice.token }).v2.instance.fetch();
    masto = createStreamingAPIClient({ streamingApiUrl: instance.configuration.urls.streaming, accessToken: alice.token, retry: false });
    const fromMasto = new Seen<mastodon.streaming.Event>();
    const subscription = masto.user.subscribe();
    void (async () => {
      for await (const event of subscription) fromMasto.push(event);
    })().catch(() => undefined);

    const client = generator("mastodon", s.http, alice.token);
    const stream = await client.userStreaming();
    mega = stream;
    const fromMegalodon = new Seen<{ event: string; data: any }>();
    for (const event of ["update", "notification", "status_update", "delete"]) stream.on(event, (data: unknown) => fromMegalodon.push({ event, data }));
    await eventually(async () => (await subscriptionsTo(s, "user")) >= 2, "both clients to subscribe to user");

    const posted = expectStatus(await t.request("POST", "/api/v1/statuses", { token: bob.token, json: { status: "hello clients", visibility: "public" } }), 200).body.id;
    const mUpdate = await fromMasto.find((e) => e.event === "update" && e.payload.id === posted, "masto update");
    assert.deepEqual(mUpdate.stream, ["user"]);
    const gUpdate = await fromMegalodon.find((e) => e.event === "update" && e.data.id === posted, "megalodon update");
    assert.match(gUpdate.data.content, /hello clients/);

    const mine = expectStatus(await t.request("POST", "/api/v1/statuses", { token: alice.token, json: { status: "favourite me", visibility: "public" } }), 200).body.id;
    expectStatus(await t.request("POST", `/api/v1/statuses/${mine}/favourite`, { token: bob.token }), 200);
    const mNote = await fromMasto.find((e) => e.event === "notification" && e.payload.type === "favourite", "masto notification");
    assert.equal(mNote.event === "notification" && mNote.payload.status?.id, mine);
    const gNote = await fromMegalodon.find((e) => e.event === "notification" && e.data.type === "favourite", "megalodon notification");
    assert.equal(gNote.data.account.id, bob.accountId);

    expectStatus(await t.request("PUT", `/api/v1/statuses/${posted}`, { token: bob.token, json: { status: "hello again" } }), 200);
    const mEdit = await fromMasto.find((e) => e.event === "status.update" && e.payload.id === posted, "masto status.update");
    assert.match(mEdit.event === "status.update" ? mEdit.payload.content : "", /hello again/);
    await fromMegalodon.find((e) => e.event === "status_update" && e.data.id === posted, "megalodon status_update");

    expectStatus(await t.request("DELETE", `/api/v1/statuses/${posted}`, { token: bob.token }), 200);
    await fromMasto.find((e) => e.event === "delete" && e.payload === posted, "masto delete");
    await fromMegalodon.find((e) => e.event === "delete" && e.data === posted, "megalodon delete");
  });
});
