import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { forgetTokens } from "../../src/services/auth/access-tokens.ts";
import { hashSecret } from "../../src/services/auth/tokens.ts";
import { publicChannel } from "../../src/services/streaming/channels.ts";
import { setChosenLanguages } from "../../src/services/timelines/chosen-languages.ts";
import { expectStatus } from "../support/accounts.ts";
import { assertEntity } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";
import { runContentCommand } from "../../src/app/commands/admin-content.ts";
import { NO_OBSERVER } from "../../src/streaming/observer.ts";
import { EventRenderer } from "../../src/streaming/render.ts";
import { apiDeps } from "../../src/app/roles.ts";
import { eventually, listenWithStreaming, StreamEvents, StreamSocket, type StreamingServer } from "./stream-clients.ts";

type User = { accountId: string; token: string };

/**
 * A client by hand that opens a stream, then stops reading (a stalled phone, a frozen tab): a WebSocket
 * upgraded with ?stream=, or an SSE request.
 */
function rawSubscriber(port: number, token: string, stream: string, transport: "websocket" | "eventsource" = "websocket"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        transport === "websocket"
          ? `GET /api/v1/streaming?stream=${stream} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`
          : `GET /api/v1/streaming/${stream} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
    });
    socket.once("data", (chunk) => {
      if (!chunk.toString().startsWith(transport === "websocket" ? "HTTP/1.1 101" : "HTTP/1.1 200")) reject(new Error(chunk.toString()));
      socket.pause();
      // The subscription is made right after the upgrade; give it a moment before the flood.
      setTimeout(() => resolve(socket), 200);
    });
    socket.once("error", reject);
  });
}

for (const v of appVariants) {
  describe(`streaming API (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let s: StreamingServer;
    const sockets: StreamSocket[] = [];
    const sse: StreamEvents[] = [];
    let n = 0;
    const name = (base: string) => `${base}_${v.name === "sqlite" ? "l" : "p"}${++n}`;

    before(async () => {
      t = await startTestApp(v.name);
      s = await listenWithStreaming(t, { tokenCheckMs: 200, maxBufferedBytes: 64 * 1024 });
    });
    after(async () => {
      for (const c of sockets) c.close();
      for (const c of sse) c.close();
      await s?.close();
      await t?.close();
    });

    const user = (base: string, scopes?: string): Promise<User> => t.user(name(base), scopes ? { scopes } : {});
    const socket = async (u: User, query = "") => {
      const c = await StreamSocket.open(`${s.ws}${query}`, { headers: { authorization: `Bearer ${u.token}` } });
      sockets.push(c);
      return c;
    };
    const events = async (path: string, u: User) => {
      const c = await StreamEvents.open(`${s.http}${path}`, { authorization: `Bearer ${u.token}` });
      assert.ok(c instanceof StreamEvents, `SSE ${path} refused: ${JSON.stringify(c)}`);
      sse.push(c);
      return c;
    };
    const post = async (as: User, json: Record<string, unknown>): Promise<string> =>
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body.id;
    const follow = async (who: User, whom: User) =>
      expectStatus(await t.request("POST", `/api/v1/accounts/${whom.accountId}/follow`, { token: who.token }), 200);
    /** Waits for the jobs, then for a marker post on `marker` streams: everything published before it has been delivered. */
    const settle = async (bot: User, tag: string, clients: readonly StreamSocket[]) => {
      await t.drain();
      const id = await post(bot, { status: `#${tag} marker`, visibility: "public" });
      for (const c of clients) await c.event("hashtag", "update", (m) => m.body.id === id);
    };

    it("answers its health check, and 404 to a plain GET of the WebSocket path (stream on this host)", async () => {
      const res = await fetch(`${s.http}/api/v1/streaming/health`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "OK");
      expectStatus(await t.request("GET", "/api/v1/streaming"), 404, "Record not found");
    });

    it("authenticates by header, access_token and Sec-WebSocket-Protocol, and refuses bad or missing tokens", async () => {
      const alice = await user("auth");
      const byHeader = await socket(alice);
      await byHeader.subscribe("user");
      const byQuery = await StreamSocket.open(`${s.ws}?access_token=${alice.token}&stream=user`);
      sockets.push(byQuery);
      await byQuery.roundTrip();
      const byProtocol = await StreamSocket.open(s.ws, { protocols: [alice.token] });
      sockets.push(byProtocol);
      // Browsers drop a connection whose server picks no subprotocol: the token comes back as the protocol.
      assert.equal(byProtocol.ws.protocol, alice.token);
      await byProtocol.subscribe("user");
      const id = await post(alice, { status: "three ways", visibility: "public" });
      for (const c of [byHeader, byQuery, byProtocol]) {
        const m = await c.event("user", "update", (e) => e.body.id === id);
        assert.deepEqual(m.stream, ["user"]);
        assertEntity("Status", m.body);
      }
      await assert.rejects(StreamSocket.open(s.ws), (e: { statusCode?: number }) => e.statusCode === 401);
      await assert.rejects(StreamSocket.open(`${s.ws}?access_token=nope`), (e: { statusCode?: number }) => e.statusCode === 401);
      const missing = await StreamEvents.open(`${s.http}/api/v1/streaming/public`);
      assert.deepEqual(missing, { status: 401, body: { error: "Missing access token" } });
      const invalid = await StreamEvents.open(`${s.http}/api/v1/streaming/public`, { authorization: "Bearer nope" });
      assert.deepEqual(invalid, { status: 401, body: { error: "Invalid access token" } });
    });

    it("checks each stream's scope, and names unknown streams and bad parameters as Mastodon does", async () => {
      const notificationsOnly = await user("scope_n", "read:notifications");
      const statusesOnly = await user("scope_s", "read:statuses");
      const a = await socket(notificationsOnly);
      a.send({ type: "subscribe", stream: "public" });
      a.send({ type: "subscribe", stream: "nonsense" });
      a.send({ type: "subscribe", stream: "hashtag" });
      a.send({ type: "subscribe", stream: "user:notification" });
      await a.roundTrip();
      const errors = a.inbox.all.filter((m) => m.error && m.error !== "Unknown message type");
      assert.deepEqual(errors, [
        { error: "Access token does not cover required scopes", status: 401, body: undefined },
        { error: "Unknown stream type", status: 400, body: undefined },
        { error: "Access token does not cover required scopes", status: 401, body: undefined },
      ]);
      const b = await socket(statusesOnly);
      b.send({ type: "subscribe", stream: "user:notification" });
      b.send({ type: "subscribe", stream: "hashtag" });
      b.send({ type: "subscribe", stream: "list", list: "12345" });
      await b.roundTrip();
      assert.deepEqual(
        b.inbox.all.filter((m) => m.error && m.error !== "Unknown message type").map((m) => [m.status, m.error]),
        [[401, "Access token does not cover required scopes"], [400, "Missing tag name parameter"], [401, "Not authorized to stream this list"]],
      );
      const refused = await StreamEvents.open(`${s.http}/api/v1/streaming/user/notification`, { authorization: `Bearer ${statusesOnly.token}` });
      assert.deepEqual(refused, { status: 401, body: { error: "Access token does not cover required scopes" } });
      const unknown = await StreamEvents.open(`${s.http}/api/v1/streaming/nowhere`, { authorization: `Bearer ${statusesOnly.token}` });
      assert.deepEqual(unknown, { status: 400, body: { error: "Unknown channel requested" } });
    });

    it("carries several streams on one socket, with Mastodon's stream arrays, until unsubscribed; then delete", async () => {
      const reader = await user("multi_r");
      const author = await user("multi_a");
      const bot = await user("multi_bot");
      await follow(reader, author);
      const tag = name("Multitag");
      const marker = name("marker");
      const c = await socket(reader);
      await c.subscribe("user");
      await c.subscribe("hashtag", { tag });
      await c.subscribe("hashtag", { tag: marker });
      await c.subscribe("public:local");
      const first = await post(author, { status: `hello #${tag}`, visibility: "public" });
      const onUser = await c.event("user", "update", (m) => m.body.id === first);
      const onTag = await c.event("hashtag", "update", (m) => m.body.id === first);
      const onLocal = await c.event("public:local", "update", (m) => m.body.id === first);
      assert.deepEqual(onUser.stream, ["user"]);
      assert.deepEqual(onTag.stream, ["hashtag", tag]);
      assert.deepEqual(onLocal.stream, ["public:local"]);
      for (const m of [onUser, onTag, onLocal]) {
        assertEntity("Status", m.body);
        assert.equal(m.body.account.id, author.accountId);
        assert.match(m.body.content, /hello/);
      }
      // The home rendering is the reader's own (favourited… present); the public one is anonymous, as Mastodon's.
      assert.equal(onUser.body.favourited, false);
      assert.equal("favourited" in onLocal.body, false);

      await c.unsubscribe("public:local");
      const second = await post(author, { status: `again #${tag}`, visibility: "public" });
      await c.event("hashtag", "update", (m) => m.body.id === second);
      await settle(bot, marker, [c]);
      assert.equal(c.events("public:local").filter((m) => m.body.id === second).length, 0);
      assert.equal(c.events("user").filter((m) => m.body.id === second).length, 1);

      expectStatus(await t.request("DELETE", `/api/v1/statuses/${second}`, { token: author.token }), 200);
      const deleted = await c.event("user", "delete", (m) => m.payload === second);
      assert.equal(deleted.body, second);
      await c.event("hashtag", "delete", (m) => m.payload === second);
    });

    it("keys hashtag streams by the normalized tag: #Café reaches CAFÉ, full-width ｃａｆｅ and cafe", async () => {
      const author = await user("tagnorm_a");
      const reader = await user("tagnorm_r");
      const suffix = name("").slice(1); // unique per app, e.g. l7
      const asked = [
        { stream: "hashtag", tag: `CAFÉ${suffix.toUpperCase()}` },
        { stream: "hashtag", tag: `ｃａｆｅ${suffix}` },
        { stream: "hashtag:local", tag: `cafe${suffix}` },
      ];
      const clients: StreamSocket[] = [];
      for (const a of asked) {
        const c = await socket(reader);
        await c.subscribe(a.stream, { tag: a.tag });
        clients.push(c);
      }
      const id = await post(author, { status: `bonjour #Café${suffix}`, visibility: "public" });
      for (const [i, c] of clients.entries()) {
        const got = await c.event(asked[i].stream, "update", (m) => m.body.id === id);
        assert.deepEqual(got.stream, [asked[i].stream, asked[i].tag]);
        assertEntity("Status", got.body);
      }
    });

    it("sends notifications (a follow, a favourite) on user and user:notification, over WebSocket and SSE", async () => {
      const alice = await user("notif_a");
      const bob = await user("notif_b");
      const ws = await socket(alice);
      await ws.subscribe("user:notification");
      const home = await events("/api/v1/streaming/user", alice);
      await follow(bob, alice);
      const followed = await ws.event("user:notification", "notification", (m) => m.body.type === "follow");
      assertEntity("Notification", followed.body);
      assert.equal(followed.body.account.id, bob.accountId);
      const own = await post(alice, { status: "like me", visibility: "public" });
      expectStatus(await t.request("POST", `/api/v1/statuses/${own}/favourite`, { token: bob.token }), 200);
      const fav = await ws.event("user:notification", "notification", (m) => m.body.type === "favourite");
      assertEntity("Notification", fav.body);
      assert.equal(fav.body.status.id, own);
      const overSse = await home.next("notification", (e) => JSON.parse(e.data).type === "favourite");
      assertEntity("Notification", JSON.parse(overSse.data));
      // The author's own post reaches their home stream too.
      await home.next("update", (e) => JSON.parse(e.data).id === own);
    });

    it("sends notifications_merged once an accepted request's notifications are merged", async () => {
      const alice = await user("merge_a");
      const stranger = await user("merge_s");
      const c = await socket(alice);
      await c.subscribe("user:notification");
      const acct = (await t.request("GET", `/api/v1/accounts/${alice.accountId}`)).body.acct;
      await post(stranger, { status: `@${acct} hi there`, visibility: "direct" });
      await t.drain();
      const requests = expectStatus(await t.request("GET", "/api/v1/notifications/requests", { token: alice.token }), 200).body;
      assert.equal(requests.length, 1);
      expectStatus(await t.request("POST", `/api/v1/notifications/requests/${requests[0].id}/accept`, { token: alice.token }), 200);
      const merged = await c.event("user:notification", "notifications_merged");
      assert.equal(merged.payload, "1");
    });

    it("sends status.update after an edit and filters_changed after a filter change, over SSE", async () => {
      const alice = await user("edit_a");
      const stream = await events("/api/v1/streaming/user", alice);
      const id = await post(alice, { status: "first words", visibility: "public" });
      await stream.next("update", (e) => JSON.parse(e.data).id === id);
      expectStatus(await t.request("PUT", `/api/v1/statuses/${id}`, { token: alice.token, json: { status: "second words" } }), 200);
      const edited = await stream.next("status.update", (e) => JSON.parse(e.data).id === id);
      const body = JSON.parse(edited.data);
      assertEntity("Status", body);
      assert.match(body.content, /second words/);
      assert.notEqual(body.edited_at, null);
      expectStatus(await t.request("POST", "/api/v2/filters", { token: alice.token, json: { title: "f", context: ["home"], keywords_attributes: [{ keyword: "x" }] } }), 200);
      const changed = await stream.next("filters_changed");
      assert.equal(changed.data, "undefined");
    });

    it("keeps public and hashtag streams to the reader's chosen languages; statuses without a language pass", async () => {
      const reader = await user("lang_r");
      const author = await user("lang_a");
      const bot = await user("lang_bot");
      const marker = name("lmarker");
      const chosen = await setChosenLanguages(t.container.jobDeps, BigInt(reader.accountId), ["de"]);
      assert.ok(chosen.ok);
      const c = await socket(reader);
      await c.subscribe("public");
      await c.subscribe("hashtag", { tag: marker });
      const english = await post(author, { status: "in English", visibility: "public", language: "en" });
      const german = await post(author, { status: "auf Deutsch", visibility: "public", language: "de" });
      await c.event("public", "update", (m) => m.body.id === german);
      await settle(bot, marker, [c]);
      assert.equal(c.inbox.all.filter((m) => m.body?.id === english).length, 0, "the English status is not sent");
    });

    it("applies the reader's filters: hide is not sent, warn arrives with filtered", async () => {
      const reader = await user("filt_r");
      const author = await user("filt_a");
      const bot = await user("filt_bot");
      await follow(reader, author);
      const marker = name("fmarker");
      for (const [keyword, action] of [["zebra", "hide"], ["llama", "warn"]])
        expectStatus(
          await t.request("POST", "/api/v2/filters", { token: reader.token, json: { title: keyword, context: ["home", "public"], filter_action: action, keywords_attributes: [{ keyword }] } }),
          200,
        );
      const c = await socket(reader);
      await c.subscribe("user");
      await c.subscribe("public");
      await c.subscribe("hashtag", { tag: marker });
      const hidden = await post(author, { status: "a zebra", visibility: "public" });
      const warned = await post(author, { status: "a llama", visibility: "public" });
      for (const stream of ["user", "public"]) {
        const m = await c.event(stream, "update", (e) => e.body.id === warned);
        assert.equal(m.body.filtered?.[0]?.filter?.title, "llama");
        assert.equal(m.body.filtered?.[0]?.filter?.filter_action, "warn");
      }
      await settle(bot, marker, [c]);
      assert.equal(c.inbox.all.filter((m) => m.body?.id === hidden).length, 0);
    });

    it("never sends a status to someone who may not see it, on any stream (the visibility table)", async () => {
      const author = await user("vis_author");
      const follower = await user("vis_follower");
      const stranger = await user("vis_stranger");
      const mentioned = await user("vis_mentioned");
      const blocker = await user("vis_blocker");
      const blocked = await user("vis_blocked");
      const muter = await user("vis_muter");
      const bot = await user("vis_bot");
      for (const f of [follower, blocker, muter]) await follow(f, author);
      expectStatus(await t.request("POST", `/api/v1/accounts/${author.accountId}/block`, { token: blocker.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: author.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${author.accountId}/mute`, { token: muter.token }), 200);
      const marker = name("vmarker");
      const viewers = { follower, stranger, mentioned, blocker, blocked, muter } as const;
      const clients = new Map<string, StreamSocket>();
      for (const [key, u] of Object.entries(viewers)) {
        const c = await socket(u);
        for (const stream of ["user", "public", "public:local"]) await c.subscribe(stream);
        await c.subscribe("hashtag", { tag: marker });
        clients.set(key, c);
      }
      await t.drain();
      const mention = `@${(await t.request("GET", `/api/v1/accounts/${mentioned.accountId}`)).body.acct}`;
      const ids = {
        public: await post(author, { status: `public ${mention}`, visibility: "public" }),
        unlisted: await post(author, { status: `unlisted ${mention}`, visibility: "unlisted" }),
        private: await post(author, { status: `private ${mention}`, visibility: "private" }),
        direct: await post(author, { status: `direct ${mention}`, visibility: "direct" }),
      };
      // [viewer, visibility, streams that get it]; every other (viewer, visibility, stream) gets nothing.
      const table: [keyof typeof viewers, keyof typeof ids, string[]][] = [
        ["follower", "public", ["user", "public", "public:local"]],
        ["follower", "unlisted", ["user"]],
        ["follower", "private", ["user"]],
        ["follower", "direct", []],
        ["stranger", "public", ["public", "public:local"]],
        ["stranger", "unlisted", []],
        ["stranger", "private", []],
        ["stranger", "direct", []],
        ["mentioned", "public", ["public", "public:local"]],
        ["mentioned", "unlisted", []],
        ["mentioned", "private", []],
        ["mentioned", "direct", []],
        ["blocker", "public", []],
        ["blocker", "unlisted", []],
        ["blocker", "private", []],
        ["blocker", "direct", []],
        ["blocked", "public", []],
        ["blocked", "unlisted", []],
        ["blocked", "private", []],
        ["blocked", "direct", []],
        ["muter", "public", []],
        ["muter", "unlisted", []],
        ["muter", "private", []],
        ["muter", "direct", []],
      ];
      for (const [viewer, visibility, streams] of table)
        for (const stream of streams) await clients.get(viewer)!.event(stream, "update", (m) => m.body.id === ids[visibility]);
      await settle(bot, marker, [...clients.values()]);
      for (const [viewer, visibility, streams] of table) {
        const got = clients
          .get(viewer)!
          .inbox.all.filter((m) => m.event === "update" && m.body?.id === ids[visibility])
          .map((m) => m.stream![0])
          .sort();
        assert.deepEqual(got, [...streams].sort(), `${viewer} / ${visibility}`);
      }
      // The mentioned account hears of the mentions as notifications; the private mention from a stranger is
      // filtered by the default notification policy, so it waits in the requests and is not streamed.
      const mentionedClient = clients.get("mentioned")!;
      for (const visibility of ["public", "unlisted", "private"] as const) {
        const note = await mentionedClient.event("user", "notification", (m) => m.body.status?.id === ids[visibility]);
        assert.equal(note.body.type, "mention");
        assertEntity("Notification", note.body);
      }
      assert.equal(mentionedClient.inbox.all.filter((m) => m.event === "notification" && m.body.status?.id === ids.direct).length, 0);
      // Nobody else hears of them.
      for (const [key, c] of clients)
        if (key !== "mentioned") assert.equal(c.inbox.all.filter((m) => m.event === "notification").length, 0, key);
    });

    it("sends boosts by followed accounts and posts with followed hashtags to the home stream", async () => {
      const reader = await user("boost_r");
      const booster = await user("boost_b");
      const author = await user("boost_a");
      await follow(reader, booster);
      const tag = name("followme");
      expectStatus(await t.request("POST", `/api/v1/tags/${tag}/follow`, { token: reader.token }), 200);
      const c = await socket(reader);
      await c.subscribe("user");
      const original = await post(author, { status: "worth a boost", visibility: "public" });
      const boost = expectStatus(await t.request("POST", `/api/v1/statuses/${original}/reblog`, { token: booster.token }), 200).body.id;
      const boosted = await c.event("user", "update", (m) => m.body.id === boost);
      assertEntity("Status", boosted.body);
      assert.equal(boosted.body.reblog.id, original);
      assert.equal(boosted.body.reblog.account.id, author.accountId);
      const tagged = await post(author, { status: `about #${tag}`, visibility: "public" });
      await c.event("user", "update", (m) => m.body.id === tagged);
      expectStatus(await t.request("POST", `/api/v1/statuses/${original}/unreblog`, { token: booster.token }), 200);
      await c.event("user", "delete", (m) => m.payload === boost);
    });

    it("sends conversation on direct, and a list's posts on its list stream", async () => {
      const alice = await user("conv_a");
      const bob = await user("conv_b");
      await follow(alice, bob);
      const list = expectStatus(await t.request("POST", "/api/v1/lists", { token: alice.token, json: { title: "friends" } }), 200).body;
      expectStatus(await t.request("POST", `/api/v1/lists/${list.id}/accounts`, { token: alice.token, json: { account_ids: [bob.accountId] } }), 200);
      const c = await socket(alice);
      await c.subscribe("direct");
      await c.subscribe("list", { list: list.id });
      const acct = (await t.request("GET", `/api/v1/accounts/${alice.accountId}`)).body.acct;
      const dm = await post(bob, { status: `@${acct} psst`, visibility: "direct" });
      const conversation = await c.event("direct", "conversation", (m) => m.body.last_status?.id === dm);
      assertEntity("Conversation", conversation.body);
      assert.deepEqual(conversation.body.accounts.map((a: { id: string }) => a.id), [bob.accountId]);
      assert.equal(conversation.body.unread, true);
      const open = await post(bob, { status: "for the list", visibility: "public" });
      const onList = await c.event("list", "update", (m) => m.body.id === open);
      assert.deepEqual(onList.stream, ["list", list.id]);
      assertEntity("Status", onList.body);
      // Lists never hold direct statuses.
      assert.equal(c.events("list").filter((m) => m.body?.id === dm).length, 0);
    });

    it("renders no conversation event for a participant who may no longer see its status", async () => {
      const author = await user("convb_a");
      const reader = await user("convb_r");
      const other = await user("convb_o");
      const acct = async (u: User) => (await t.request("GET", `/api/v1/accounts/${u.accountId}`)).body.acct;
      const dm = await post(author, { status: `@${await acct(reader)} @${await acct(other)} between us`, visibility: "direct" });
      await t.drain();
      // The event is rendered when it is delivered: by then the reader may have blocked the author.
      expectStatus(await t.request("POST", `/api/v1/accounts/${author.accountId}/block`, { token: reader.token }), 200);
      const renderer = new EventRenderer(apiDeps(t.container));
      assert.equal(await renderer.conversationPayload(BigInt(dm), BigInt(dm), BigInt(reader.accountId)), null);
      const shown = JSON.parse((await renderer.conversationPayload(BigInt(dm), BigInt(dm), BigInt(other.accountId)))!);
      assertEntity("Conversation", shown);
      assert.equal(shown.last_status.id, dm);
    });

    it("streams announcements, their reactions and their removal to user streams", async () => {
      const alice = await user("ann_a");
      const bob = await user("ann_b");
      const c = await socket(alice);
      await c.subscribe("user");
      const lines: string[] = [];
      const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
      await runContentCommand(t.container, "announcements", "publish", [`Tea at five ${name("x")}`], io);
      const id = /Published announcement (\d+)/.exec(lines.join("\n"))![1];
      const published = await c.event("user", "announcement", (m) => m.body.id === id);
      assertEntity("Announcement", published.body);
      assert.match(published.body.content, /Tea at five/);
      expectStatus(await t.request("PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("👍")}`, { token: bob.token }), 200);
      const reaction = await c.event("user", "announcement.reaction", (m) => m.body.announcement_id === id);
      assert.deepEqual(reaction.body, { name: "👍", count: 1, announcement_id: id });
      await runContentCommand(t.container, "announcements", "unpublish", [id], io);
      const removed = await c.event("user", "announcement.delete", (m) => m.payload === id);
      assert.equal(removed.body, id);
    });

    it("keeps connections alive: WebSocket pings, SSE heartbeat comments", async () => {
      const alice = await user("beat");
      const fast = await listenWithStreaming(t, { heartbeatMs: 300, observer: NO_OBSERVER });
      try {
        const c = await StreamSocket.open(`${fast.ws}?stream=user`, { headers: { authorization: `Bearer ${alice.token}` } });
        sockets.push(c);
        const pinged = new Promise<void>((resolve) => c.ws.once("ping", () => resolve()));
        const home = await StreamEvents.open(`${fast.http}/api/v1/streaming/user`, { authorization: `Bearer ${alice.token}` });
        assert.ok(home instanceof StreamEvents);
        sse.push(home);
        await Promise.race([pinged, new Promise((_, reject) => setTimeout(() => reject(new Error("no ping")), 5_000))]);
        await eventually(async () => home.comments.includes(":thump"), "an SSE heartbeat");
        // The client answers pings, so it stays connected past several intervals.
        await new Promise((r) => setTimeout(r, 1_000));
        assert.equal(c.ws.readyState, c.ws.OPEN);
      } finally {
        await fast.close();
      }
    });

    it("closes a revoked token's connections within seconds", async () => {
      const alice = await user("revoke");
      const c = await socket(alice);
      await c.subscribe("user");
      const home = await events("/api/v1/streaming/user", alice);
      // As the revocation services do: mark the token revoked, then forget its cached resolution.
      const oauth = t.container.db.repos.oauth;
      const token = await oauth.findTokenByHash(hashSecret(alice.token));
      assert.ok(token);
      assert.equal(await oauth.revokeToken(token.id, Date.now()), true);
      await forgetTokens(t.container.cache, [hashSecret(alice.token)]);
      const code = await Promise.race([c.closed, new Promise<string>((r) => setTimeout(() => r("still open"), 10_000))]);
      assert.equal(code, 1000);
      await Promise.race([home.done, new Promise((_, reject) => setTimeout(() => reject(new Error("SSE still open")), 10_000))]);
    });

    for (const transport of ["websocket", "eventsource"] as const)
      it(`cuts off a ${transport} client that stops reading instead of buffering without bound, and counts it`, async () => {
        const reader = await user("slow_r");
        const author = await user("slow_a");
        const id = await post(author, { status: "x".repeat(480), visibility: "public" });
        await t.drain();
        const dropped = async () => {
          const metrics = await fetch(`${s.http}/metrics`).then((r) => r.text());
          return Number(new RegExp(`herd_streaming_dropped_total\\{[^}]*type="${transport}"[^}]*reason="slow_client"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
        };
        const before = await dropped();
        // A raw client that subscribes, then never reads: what the server writes piles up in the kernel's
        // buffers, then in the server's own (ws's, or the SSE body stream's).
        const raw = await rawSubscriber(s.server.port, reader.token, "public", transport);
        const message = JSON.stringify({ event: "update", statusId: id });
        const deadline = Date.now() + 20_000;
        while ((await dropped()) === before && Date.now() < deadline) {
          for (let i = 0; i < 500; i++) await t.container.pubsub.publish(publicChannel("all"), message);
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.equal(await dropped(), before + 1);
        const metrics = await fetch(`${s.http}/metrics`).then((r) => r.text());
        assert.match(metrics, /herd_streaming_connected_clients\{[^}]*type="websocket"[^}]*\} \d/);
        assert.match(metrics, /herd_streaming_messages_sent_total\{[^}]*event="update"[^}]*\} [1-9]/);
        raw.destroy();
      });
  });
}
