import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { blockDomain, unblockDomain } from "../../src/services/federation/domain-moderation.ts";
import { generateCryptoKeyPair, preloadedContexts, signRequest, type DocumentLoader } from "@fedify/fedify";
import { Create, CryptographicKey, Emoji, Note, Person, Question, Service } from "@fedify/fedify/vocab";
import sharp from "sharp";
import { SharpImageProcessor } from "../../src/adapters/images/sharp-image-processor.ts";
import { addCustomEmoji } from "../../src/services/emojis/custom-emojis.ts";
import { expectStatus, insertFollow, remoteAccount, suspend, unconfirmedAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp, type TestResponse } from "../support/test-app.ts";

const AP = { accept: "application/activity+json" };
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

/** Parses with Fedify's vocabulary, offline: only the contexts Fedify ships are loaded (no network in tests). */
const offline: DocumentLoader = async (url) => {
  if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
  throw new Error(`test tried to fetch ${url}`);
};
const parse = { documentLoader: offline, contextLoader: offline };

function expectCode(res: TestResponse, status: number): TestResponse {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

/** The same key, whichever PEM wrapping it came in. */
function sameKey(a: string, b: string): boolean {
  return createPublicKey(a).export({ type: "spki", format: "der" }).equals(createPublicKey(b).export({ type: "spki", format: "der" }));
}

for (const variant of appVariants) {
  describe(`actors and objects (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant.name);
    });
    after(() => t?.close());

    it("serves a local account as a Person whose public key is the stored one", async () => {
      const name = uniqueName("ana");
      const u = await t.user(name);
      expectStatus(
        await t.request("PATCH", "/api/v1/accounts/update_credentials", {
          token: u.token,
          form: { display_name: "Ana A.", note: "Hello there\n\nsecond", locked: "true", "fields_attributes[0][name]": "Site", "fields_attributes[0][value]": "https://ana.example" },
        }),
        200,
      );
      const res = expectCode(await t.request("GET", `/users/${name}`, { headers: AP }), 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/activity\+json/);
      const json = JSON.parse(res.text);
      const person = await Person.fromJsonLd(json, parse);
      assert.equal(person.id?.href, `${t.baseUrl}/users/${name}`);
      assert.equal(person.preferredUsername, name);
      assert.equal(String(person.name), "Ana A.");
      assert.equal(String(person.summary), "<p>Hello there</p><p>second</p>");
      assert.equal(person.manuallyApprovesFollowers, true);
      assert.equal(person.inboxId?.href, `${t.baseUrl}/users/${name}/inbox`);
      assert.equal(person.outboxId?.href, `${t.baseUrl}/users/${name}/outbox`);
      assert.equal(person.followersId?.href, `${t.baseUrl}/users/${name}/followers`);
      assert.equal(person.followingId?.href, `${t.baseUrl}/users/${name}/following`);
      assert.equal(person.featuredId?.href, `${t.baseUrl}/users/${name}/collections/featured`);
      assert.equal(person.featuredTagsId?.href, `${t.baseUrl}/users/${name}/collections/tags`);
      assert.equal(person.endpoints?.sharedInbox?.href, `${t.baseUrl}/inbox`);
      assert.equal(person.url?.href, `${t.baseUrl}/@${name}`);
      assert.equal(json.attachment.type, "PropertyValue");
      assert.equal(json.attachment.name, "Site");
      assert.match(json.attachment.value, /href="https:\/\/ana\.example"/);

      const stored = await t.container.db.repos.accountKeys.find(BigInt(u.accountId));
      assert.ok(stored, "keys were generated when the actor was first served");
      const key = await person.getPublicKey(parse);
      assert.equal(key?.id?.href, `${t.baseUrl}/users/${name}#main-key`);
      assert.equal(json.publicKey.owner, `${t.baseUrl}/users/${name}`);
      assert.ok(sameKey(json.publicKey.publicKeyPem, stored.rsaPublicKey), "publicKeyPem is the stored RSA key");
      assert.equal(createPublicKey(json.publicKey.publicKeyPem).asymmetricKeyDetails?.modulusLength, 2048);
      const methods = [];
      for await (const m of person.getAssertionMethods(parse)) methods.push(m);
      assert.equal(methods.length, 1);
      assert.equal(methods[0].publicKey?.algorithm.name, "Ed25519");
      const raw = new Uint8Array(await crypto.subtle.exportKey("spki", methods[0].publicKey!));
      assert.ok(Buffer.from(raw).equals(createPublicKey(stored.ed25519PublicKey).export({ type: "spki", format: "der" })), "the Multikey is the stored Ed25519 key");
      assert.doesNotMatch(res.text, /PRIVATE KEY/);
    });

    it("serves bots as Service, 410 for suspended accounts, 404 for unknown ones, 406 to browsers", async () => {
      const name = uniqueName("bot");
      const u = await t.user(name);
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: u.token, form: { bot: "true" } }), 200);
      const bot = JSON.parse(expectCode(await t.request("GET", `/users/${name}`, { headers: AP }), 200).text);
      assert.ok((await Service.fromJsonLd(bot, parse)) instanceof Service);

      const goneName = uniqueName("gone");
      const gone = await t.user(goneName);
      await suspend(t, gone.accountId);
      expectCode(await t.request("GET", `/users/${goneName}`, { headers: AP }), 410);
      expectCode(await t.request("GET", `/users/${uniqueName("nobody")}`, { headers: AP }), 404);
      // Mastodon hides accounts whose owner has not confirmed their address yet.
      const pending = uniqueName("pending");
      await unconfirmedAccount(t, pending);
      expectCode(await t.request("GET", `/users/${pending}`, { headers: AP }), 404);
      const html = expectCode(await t.request("GET", `/users/${name}`, { headers: { accept: "text/html" } }), 406);
      assert.match(html.headers.get("vary") ?? "", /Accept/);
      // The ld+json form of the ActivityStreams media type is as good as activity+json.
      expectCode(await t.request("GET", `/users/${name}`, { headers: { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' } }), 200);
    });

    it("generates an account's keys once when first requests race", async () => {
      const name = uniqueName("race");
      const u = await t.user(name);
      const responses = await Promise.all(Array.from({ length: 6 }, () => t.request("GET", `/users/${name}`, { headers: AP })));
      const pems = responses.map((r) => JSON.parse(expectCode(r, 200).text).publicKey.publicKeyPem as string);
      const stored = await t.container.db.repos.accountKeys.find(BigInt(u.accountId));
      assert.ok(stored);
      for (const pem of pems) assert.ok(sameKey(pem, stored.rsaPublicKey));
      // A second writer never replaces the first one's keys.
      assert.equal(await t.container.db.repos.accountKeys.insertIfAbsent({ ...stored, rsaPublicKey: "other" }), false);
      assert.equal((await t.container.db.repos.accountKeys.find(BigInt(u.accountId)))?.rsaPublicKey, stored.rsaPublicKey);
    });

    it("serves public and unlisted statuses as Notes addressed as Mastodon does, and hides the others", async () => {
      const name = uniqueName("poster");
      const u = await t.user(name);
      const post = async (visibility: string) =>
        expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: `a ${visibility} #Herd post`, visibility, spoiler_text: "cw", language: "en" } }), 200).body;
      const pub = await post("public");
      const unlisted = await post("unlisted");
      const priv = await post("private");
      const direct = await post("direct");
      const followers = `${t.baseUrl}/users/${name}/followers`;

      const res = expectCode(await t.request("GET", new URL(pub.uri).pathname, { headers: AP }), 200);
      const note = await Note.fromJsonLd(JSON.parse(res.text), parse);
      assert.equal(note.id?.href, pub.uri);
      assert.equal(note.attributionId?.href, `${t.baseUrl}/users/${name}`);
      assert.deepEqual(note.toIds.map(String), [PUBLIC]);
      assert.deepEqual(note.ccIds.map(String), [followers]);
      assert.equal(String(note.content), pub.content);
      assert.equal(String(note.summary), "cw");
      assert.equal(note.url?.href, `${t.baseUrl}/@${name}/${pub.id}`);
      assert.equal(JSON.parse(res.text).contentMap.en, pub.content);
      const tags = [];
      for await (const tag of note.getTags(parse)) tags.push(tag);
      assert.equal(tags.length, 1);
      assert.equal(String((tags[0] as { name: unknown }).name), "#Herd");

      const reply = expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: "self reply", in_reply_to_id: pub.id } }), 200).body;
      const privateReply = expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: "hidden reply", in_reply_to_id: pub.id, visibility: "private" } }), 200).body;
      const withReplies = JSON.parse(expectCode(await t.request("GET", new URL(pub.uri).pathname, { headers: AP }), 200).text);
      assert.deepEqual(withReplies.replies.first.items, reply.uri);
      assert.notEqual(privateReply.uri, reply.uri);
      const replyNote = await Note.fromJsonLd(JSON.parse(expectCode(await t.request("GET", new URL(reply.uri).pathname, { headers: AP }), 200).text), parse);
      assert.equal(replyNote.replyTargetId?.href, pub.uri);

      const un = await Note.fromJsonLd(JSON.parse(expectCode(await t.request("GET", new URL(unlisted.uri).pathname, { headers: AP }), 200).text), parse);
      assert.deepEqual(un.toIds.map(String), [followers]);
      assert.deepEqual(un.ccIds.map(String), [PUBLIC]);

      expectCode(await t.request("GET", new URL(priv.uri).pathname, { headers: AP }), 404);
      expectCode(await t.request("GET", new URL(direct.uri).pathname, { headers: AP }), 404);
      expectCode(await t.request("GET", `${new URL(priv.uri).pathname}/activity`, { headers: AP }), 404);
      // Another user's path for the same status id is not the status.
      const other = uniqueName("other");
      await t.user(other);
      expectCode(await t.request("GET", `/users/${other}/statuses/${pub.id}`, { headers: AP }), 404);

      const activity = await Create.fromJsonLd(JSON.parse(expectCode(await t.request("GET", `${new URL(pub.uri).pathname}/activity`, { headers: AP }), 200).text), parse);
      assert.equal(activity.id?.href, `${pub.uri}/activity`);
      assert.equal(activity.actorId?.href, `${t.baseUrl}/users/${name}`);
      assert.equal(activity.objectId?.href, pub.uri);

      const outbox = JSON.parse(expectCode(await t.request("GET", `/users/${name}/outbox`, { headers: AP }), 200).text);
      assert.equal(outbox.type, "OrderedCollection");
      // statuses_count, as Mastodon's outbox: direct posts are not counted.
      assert.equal(outbox.totalItems, 5);
      const page = JSON.parse(expectCode(await t.request("GET", new URL(outbox.first).pathname + new URL(outbox.first).search, { headers: AP }), 200).text);
      const ids = page.orderedItems.map((a: { object: { id: string } }) => a.object.id).sort();
      assert.deepEqual(ids, [pub.uri, unlisted.uri, reply.uri].sort());
    });

    it("serves a status with a poll as a Question with its options", async () => {
      const u = await t.user(uniqueName("pollster"));
      const s = expectStatus(
        await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: "Which?", poll: { options: ["tea", "coffee"], expires_in: 3600, multiple: true } } }),
        200,
      ).body;
      const json = JSON.parse(expectCode(await t.request("GET", new URL(s.uri).pathname, { headers: AP }), 200).text);
      assert.equal(json.type, "Question");
      const q = await Question.fromJsonLd(json, parse);
      const options = [];
      for await (const o of q.getInclusiveOptions(parse)) options.push(String(o.name));
      assert.deepEqual(options, ["tea", "coffee"]);
      assert.equal(q.endTime?.epochMilliseconds, Date.parse(s.poll.expires_at));
    });

    it("tags custom emojis in names and posts, each served at its id", async () => {
      const shortcode = uniqueName("blob").replace(/[^a-z0-9_]/gi, "_");
      const image = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 9, g: 99, b: 199, alpha: 1 } } }).png().toBuffer();
      const c = t.container;
      assert.ok((await addCustomEmoji({ db: c.db, cache: c.cache, clock: c.clock, media: c.media, images: new SharpImageProcessor() }, { shortcode, image })).ok);
      const name = uniqueName("emo");
      const u = await t.user(name);
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: u.token, form: { display_name: `Emo :${shortcode}:` } }), 200);
      const s = expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: `hi :${shortcode}: and :nothing_here:` } }), 200).body;
      for (const path of [`/users/${name}`, new URL(s.uri).pathname]) {
        const json = JSON.parse(expectCode(await t.request("GET", path, { headers: AP }), 200).text);
        const tags = [json.tag].flat().filter((x: { type: string }) => x.type === "Emoji");
        assert.equal(tags.length, 1, path);
        assert.equal(tags[0].name, `:${shortcode}:`);
        assert.equal(tags[0].icon.type, "Image");
        const emoji = await Emoji.fromJsonLd(JSON.parse(expectCode(await t.request("GET", new URL(tags[0].id).pathname, { headers: AP }), 200).text), parse);
        assert.equal(String(emoji.name), `:${shortcode}:`);
      }
    });

    it("pages the outbox 20 at a time, newest first", async () => {
      const name = uniqueName("prolific");
      const u = await t.user(name);
      const uris: string[] = [];
      for (let i = 0; i < 21; i++) uris.push(expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: `post ${i}` } }), 200).body.uri);
      const get = async (url: string) => JSON.parse(expectCode(await t.request("GET", new URL(url).pathname + new URL(url).search, { headers: AP }), 200).text);
      const outbox = await get(`${t.baseUrl}/users/${name}/outbox`);
      assert.equal(outbox.totalItems, 21);
      const first = await get(outbox.first);
      assert.deepEqual(first.orderedItems.map((a: { object: { id: string } }) => a.object.id), uris.slice(1).reverse());
      const second = await get(first.next);
      assert.deepEqual(second.orderedItems.map((a: { object: { id: string } }) => a.object.id), [uris[0]]);
      assert.equal(second.next, undefined);
    });

    it("answers 404 for ids beyond 64 bits, in paths and cursors", async () => {
      const name = uniqueName("bigid");
      await t.user(name);
      const huge = "99999999999999999999";
      for (const path of [
        `/users/${name}/statuses/${huge}`, `/users/${name}/statuses/${huge}/activity`, `/users/${name}/outbox?cursor=${huge}`,
        `/users/${name}/followers?cursor=${huge}`, `/users/${name}/following?cursor=${huge}`, `/emojis/${huge}`,
      ])
        expectCode(await t.request("GET", path, { headers: AP }), 404);
    });

    it("shows only the size of hidden collections", async () => {
      const name = uniqueName("hider");
      const u = await t.user(name);
      const fan = uniqueName("fan");
      const local = await t.user(fan);
      const remote = uniqueName("far");
      await insertFollow(t, local.accountId, u.accountId);
      await insertFollow(t, await remoteAccount(t, remote, "remote.example"), u.accountId);
      const shown = JSON.parse(expectCode(await t.request("GET", `/users/${name}/followers`, { headers: AP }), 200).text);
      assert.equal(shown.totalItems, 2);
      const page = JSON.parse(expectCode(await t.request("GET", new URL(shown.first).pathname + new URL(shown.first).search, { headers: AP }), 200).text);
      assert.deepEqual([page.orderedItems].flat().sort(), [`${t.baseUrl}/users/${fan}`, `https://remote.example/users/${remote}`].sort());
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: u.token, form: { hide_collections: "true" } }), 200);
      for (const list of ["followers", "following"]) {
        const hidden = JSON.parse(expectCode(await t.request("GET", `/users/${name}/${list}`, { headers: AP }), 200).text);
        assert.equal(hidden.totalItems, list === "followers" ? 2 : 0);
        assert.equal(hidden.first, undefined);
        assert.equal(hidden.orderedItems, undefined);
      }
    });
  });

  describe(`AUTHORIZED_FETCH (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    // A remote server on loopback whose actor signs requests (reachable because ALLOWED_PRIVATE_ADDRESSES lists it).
    let peer: Server;
    let peerActor: URL;
    let keys: Awaited<ReturnType<typeof generateCryptoKeyPair>>;
    before(async () => {
      t = await startTestApp(variant.name, { AUTHORIZED_FETCH: "true", ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1" });
      keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
      let document = "";
      peer = createServer((_req, res) => void res.writeHead(200, { "content-type": "application/activity+json" }).end(document));
      await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
      peerActor = new URL(`http://127.0.0.1:${(peer.address() as AddressInfo).port}/users/peer`);
      const actor = new Person({
        id: peerActor, preferredUsername: "peer", inbox: new URL("/inbox", peerActor),
        publicKey: new CryptographicKey({ id: new URL("#main-key", peerActor), owner: peerActor, publicKey: keys.publicKey }),
      });
      document = JSON.stringify(await actor.toJsonLd({ contextLoader: offline }));
    });
    after(async () => {
      peer?.closeAllConnections();
      await new Promise((r) => peer?.close(r));
      await t?.close();
    });

    it("serves statuses to a request signed by a remote actor's key", async () => {
      const u = await t.user(uniqueName("signed"));
      const s = expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: "for signed eyes" } }), 200).body;
      const signed = await signRequest(new Request(s.uri, { headers: AP }), keys.privateKey, new URL("#main-key", peerActor));
      const res = await t.app.request(signed);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(((await res.json()) as { id: string }).id, s.uri);
      // A signature by a key the actor does not hold is refused.
      const other = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
      const forged = await signRequest(new Request(s.uri, { headers: AP }), other.privateKey, new URL("#main-key", peerActor));
      assert.equal((await t.app.request(forged)).status, 401);
    });

    it("refuses signed requests from a suspended domain, without fetching its key", async () => {
      const u = await t.user(uniqueName("blocked"));
      const s = expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: "not for them" } }), 200).body;
      const deps = t.container.jobDeps;
      assert.ok((await blockDomain(deps, { domain: "127.0.0.1", severity: "suspend" })).ok);
      try {
        const signed = await signRequest(new Request(s.uri, { headers: AP }), keys.privateKey, new URL("#main-key", peerActor));
        assert.equal((await t.app.request(signed)).status, 401);
      } finally {
        assert.ok((await unblockDomain(deps, "127.0.0.1")).ok);
      }
    });

    it("serves actors and the instance actor unsigned, but no statuses or collections", async () => {
      const name = uniqueName("secure");
      const u = await t.user(name);
      const s = expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status: "public but secure" } }), 200).body;
      expectCode(await t.request("GET", `/users/${name}`, { headers: AP }), 200);
      expectCode(await t.request("GET", "/actor", { headers: AP }), 200);
      expectCode(await t.request("GET", new URL(s.uri).pathname, { headers: AP }), 401);
      expectCode(await t.request("GET", `${new URL(s.uri).pathname}/activity`, { headers: AP }), 401);
      expectCode(await t.request("GET", `/users/${name}/outbox`, { headers: AP }), 401);
      expectCode(await t.request("GET", `/users/${name}/followers`, { headers: AP }), 401);
    });
  });

  describe(`actor keys at account creation (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant.name, { ACTOR_KEYS_AT_CREATION: "true" });
    });
    after(() => t?.close());

    it("generates a new account's keys in a job", async () => {
      const u = await t.user(uniqueName("early"));
      await t.drain();
      const keys = await t.container.db.repos.accountKeys.find(BigInt(u.accountId));
      assert.ok(keys);
      assert.match(keys.rsaPrivateKey, /^-----BEGIN PRIVATE KEY-----/);
      assert.equal(createPublicKey(keys.ed25519PublicKey).asymmetricKeyType, "ed25519");
    });
  });
}
