import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { serve, type ServerType } from "@hono/node-server";
import { createFederation, generateCryptoKeyPair, MemoryKvStore, type Federation } from "@fedify/fedify";
import { Accept, Create, Endpoints, Follow, Note, Person, PUBLIC_COLLECTION, type Actor } from "@fedify/fedify/vocab";
import { appVariants } from "../support/test-app.ts";
import { drainBoth, eventually, startFederatedInstance, type FederatedInstance } from "../support/federation-pair.ts";

/**
 * An independent ActivityPub server written with Fedify 2 (not Herd's code): it verifies the signatures of what
 * Herd sends (Fedify's inbox refuses unsigned or badly signed requests before any listener runs), follows a
 * Herd account and gets its posts, and is followed by a Herd account, which then gets the peer's posts.
 */
interface Peer {
  readonly origin: string;
  readonly federation: Federation<void>;
  readonly received: { type: string; json: any }[];
  /** Actors that follow the peer (their Follow was accepted). */
  readonly followers: Actor[];
  close(): Promise<void>;
}

async function startPeer(): Promise<Peer> {
  const received: { type: string; json: any }[] = [];
  const followers: Actor[] = [];
  const keys = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")];
  let server: ServerType | null = null;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: (req) => federation.fetch(req, { contextData: undefined }), hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
  const origin = `http://127.0.0.1:${port}`;
  // Loopback peers only: Fedify's own fetches may reach private addresses in this test.
  const federation: Federation<void> = createFederation<void>({ kv: new MemoryKvStore(), origin, allowPrivateAddress: true });
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== "peer") return null;
      const [pair] = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: "Fedify peer",
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        followers: ctx.getFollowersUri(identifier),
        publicKey: pair.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === "peer" ? keys : []))
    .mapHandle((_ctx, username) => (username === "peer" ? "peer" : null));
  federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({ items: [] }));
  const record = (type: string) => async (_ctx: unknown, activity: { toJsonLd(): Promise<unknown> }) => {
    received.push({ type, json: await activity.toJsonLd() });
  };
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Follow, async (ctx, follow) => {
      received.push({ type: "Follow", json: await follow.toJsonLd() });
      const follower = await follow.getActor(ctx);
      if (!follower || !follow.id) return;
      followers.push(follower);
      await ctx.sendActivity({ identifier: "peer" }, follower, new Accept({ id: new URL(`${origin}/accepts/${received.length}`), actor: ctx.getActorUri("peer"), object: follow }));
    })
    .on(Accept, record("Accept"))
    .on(Create, record("Create"));
  return {
    origin,
    federation,
    received,
    followers,
    close: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}

for (const v of appVariants) {
  describe(`a Fedify 2 peer federates with Herd (${v.name})`, { skip: v.skip }, () => {
    let herd: FederatedInstance;
    let peer: Peer;
    let alice: { accountId: string; token: string };

    before(async () => {
      [herd, peer] = await Promise.all([startFederatedInstance(v.name), startPeer()]);
      alice = await herd.user("alice");
    });
    after(async () => {
      await herd?.close();
      await peer?.close();
    });

    const settle = async () => {
      for (let i = 0; i < 4; i++) await herd.drain(20_000);
    };

    it("follows a Herd account, is accepted, and receives its posts signed", async () => {
      const ctx = peer.federation.createContext(new URL(peer.origin), undefined);
      const aliceActor = await ctx.lookupObject(`${herd.baseUrl}/users/alice`);
      assert.ok(aliceActor instanceof Person, "the peer reads alice's actor document");
      await ctx.sendActivity(
        { identifier: "peer" },
        aliceActor,
        new Follow({ id: new URL(`${peer.origin}/follows/1`), actor: ctx.getActorUri("peer"), object: aliceActor.id }),
      );
      await settle();
      await eventually(async () => (peer.received.some((r) => r.type === "Accept") ? true : undefined), "the Accept at the peer");
      const followers = await herd.request("GET", `/api/v1/accounts/${alice.accountId}/followers`, { token: alice.token });
      assert.ok(followers.body.some((a: any) => a.acct === `peer@127.0.0.1:${new URL(peer.origin).port}`), followers.text);

      const posted = await herd.request("POST", "/api/v1/statuses", { token: alice.token, json: { status: "Hello, Fedify peer" } });
      assert.equal(posted.status, 200, posted.text);
      await settle();
      const create = await eventually(async () => peer.received.find((r) => r.type === "Create" && r.json.object?.id === posted.body.uri), "the Create at the peer");
      assert.match(create.json.object.content, /Hello, Fedify peer/);
      assert.equal(create.json.actor, `${herd.baseUrl}/users/alice`);
    });

    it("is followed from Herd, accepts, and its posts reach the Herd follower's home timeline", async () => {
      const handle = `@peer@127.0.0.1:${new URL(peer.origin).port}`;
      const search = await herd.request("GET", `/api/v2/search?q=${encodeURIComponent(handle)}&resolve=true&type=accounts`, { token: alice.token });
      assert.equal(search.status, 200, search.text);
      const peerAccount = search.body.accounts[0];
      assert.ok(peerAccount, search.text);
      assert.equal((await herd.request("POST", `/api/v1/accounts/${peerAccount.id}/follow`, { token: alice.token })).status, 200);
      await settle();
      await eventually(async () => {
        const r = await herd.request("GET", `/api/v1/accounts/relationships?id[]=${peerAccount.id}`, { token: alice.token });
        return r.body[0]?.following ? true : undefined;
      }, "alice following the peer");

      const ctx = peer.federation.createContext(new URL(peer.origin), undefined);
      const follower = peer.followers.find((a) => a.id?.href === `${herd.baseUrl}/users/alice`);
      assert.ok(follower, "the peer knows alice as a follower");
      const noteId = new URL(`${peer.origin}/notes/1`);
      await ctx.sendActivity(
        { identifier: "peer" },
        follower,
        new Create({
          id: new URL(`${noteId.href}/activity`),
          actor: ctx.getActorUri("peer"),
          tos: [PUBLIC_COLLECTION],
          object: new Note({ id: noteId, attribution: ctx.getActorUri("peer"), content: "<p>Posted from <b>Fedify</b><script>alert(1)</script></p>", tos: [PUBLIC_COLLECTION] }),
        }),
      );
      await drainBoth(herd, herd, 2);
      const status = await eventually(async () => {
        const home = await herd.request("GET", "/api/v1/timelines/home", { token: alice.token });
        return home.body.find((s: any) => s.uri === noteId.href);
      }, "the peer's note in alice's home timeline");
      assert.match(status.content, /Posted from/);
      assert.doesNotMatch(status.content, /script/);
    });
  });
}
