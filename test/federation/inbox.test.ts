import assert from "node:assert/strict";
import { forgetInboxKeys } from "../../src/federation/inbox/fast-inbox.ts";
import { after, before, describe, it } from "node:test";
import { preloadedContexts, type DocumentLoader } from "@fedify/fedify";
import { Hono } from "hono";
import { silentLogger } from "../../src/app/logger.ts";
import type { Inbound, IngestEnv, Lookup } from "../../src/federation/inbox/ingest-env.ts";
import { ingestActivity } from "../../src/federation/inbox/translate-activity.ts";
import { hashtagName, visibilityOf } from "../../src/federation/inbox/translate-note.ts";
import { parseLocalUrl } from "../../src/federation/inbox/lookup.ts";
import { CacheKvStore } from "../../src/federation/fedify-kv-store.ts";
import { bodyHosts, inboxGuard, jsonDepth, malformedActivity, remoteContexts, signatureKeyHosts } from "../../src/federation/inbox/guard.ts";
import type { AccountRecord } from "../../src/ports/repositories/accounts.ts";
import type { StatusRecord } from "../../src/ports/repositories/statuses.ts";
import { blockDomain, unblockDomain } from "../../src/services/federation/domain-moderation.ts";
import { startRemotePeer, type PeerActor, type RemotePeer } from "../fixtures/activities/remote-peer.ts";
import { expectStatus } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
const MASTODON_CONTEXT = [
  AS,
  "https://w3id.org/security/v1",
  {
    sensitive: "as:sensitive", Hashtag: "as:Hashtag", toot: "http://joinmastodon.org/ns#", blurhash: "toot:blurhash",
    focalPoint: { "@container": "@list", "@id": "toot:focalPoint" }, votersCount: "toot:votersCount",
    ostatus: "http://ostatus.org#", conversation: "ostatus:conversation",
  },
];
const LOCAL = "http://herd.test";
const REMOTE = "https://remote.example";
const BOB = `${REMOTE}/users/bob`;

function account(id: bigint, username: string, domain: string | null, uri: string | null): AccountRecord {
  return { id, username, domain, uri, url: null, suspendedAt: null } as unknown as AccountRecord;
}
function status(id: bigint, accountId: bigint, uri: string | null): StatusRecord {
  return { id, accountId, uri, deletedAt: null } as unknown as StatusRecord;
}

/** An environment of fakes: a few accounts and statuses, remote documents by URL, every service call recorded. */
function fakeEnv(documents: Record<string, unknown> = {}) {
  const calls: { name: string; input: any }[] = [];
  const ana = account(1n, "ana", null, null);
  const bob = account(2n, "bob", "remote.example", BOB);
  const carl = account(3n, "carl", "other.example", "https://other.example/users/carl");
  const remote = new Map([bob, carl].map((a) => [a.uri!, a]));
  const localStatus = status(10n, 1n, null);
  const remoteStatuses = new Map<string, StatusRecord>([[`${REMOTE}/users/bob/statuses/5`, status(20n, 2n, `${REMOTE}/users/bob/statuses/5`)]]);
  let nextStatus = 100n;
  const fetched: string[] = [];
  const loader: DocumentLoader = async (url) => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    fetched.push(url);
    if (url in documents) return { contextUrl: null, documentUrl: url, document: documents[url] };
    throw new Error(`no document at ${url}`);
  };
  const lookup: Lookup = {
    async remoteActor(uri) {
      return remote.get(uri.href) ?? null;
    },
    async knownRemoteActor(uri) {
      return remote.get(uri.href) ?? null;
    },
    async localAccount(uri) {
      return uri.href === `${LOCAL}/users/ana` || uri.href === `${LOCAL}/@ana` ? ana : null;
    },
    async status(uri) {
      if (uri.href === `${LOCAL}/users/ana/statuses/10`) return localStatus;
      return remoteStatuses.get(uri.href) ?? null;
    },
    async followers(a) {
      return a.uri ? `${a.uri}/followers` : null;
    },
    async featured(a) {
      return a.uri ? `${a.uri}/collections/featured` : null;
    },
  };
  const record = (name: string) => async (input: any) => {
    calls.push({ name, input });
    if (name === "receiveStatus") {
      const id = nextStatus++;
      remoteStatuses.set(input.uri, status(id, input.authorId, input.uri));
      return { statusId: id, created: true };
    }
    return "following";
  };
  const inbound = new Proxy({}, { get: (_t, name: string) => record(name) }) as Inbound;
  const env: IngestEnv = { inbound, lookup, loader, log: silentLogger, now: () => 1_700_000_000_000, localOrigin: LOCAL };
  return { env, calls, fetched };
}

const note = (extra: Record<string, unknown> = {}) => ({
  id: `${BOB}/statuses/1`,
  type: "Note",
  attributedTo: BOB,
  published: "2026-01-02T03:04:05Z",
  url: `${REMOTE}/@bob/1`,
  to: [PUBLIC],
  cc: [`${BOB}/followers`, `${LOCAL}/users/ana`],
  content: '<p>Hello <span class="h-card"><a href="http://herd.test/@ana" class="u-url mention">@ana</a></span> #Cats <script>alert(1)</script><img src=x onerror=alert(2)></p>',
  contentMap: { en: "<p>Hello</p>" },
  summary: "CW: <b>spoilers</b>",
  sensitive: true,
  conversation: "tag:remote.example,2026-01-02:objectId=1:objectType=Conversation",
  tag: [
    { type: "Mention", href: `${LOCAL}/users/ana`, name: "@ana@herd.test" },
    { type: "Mention", href: "https://other.example/users/carl", name: "@carl@other.example" },
    { type: "Hashtag", href: `${REMOTE}/tags/cats`, name: "#Cats" },
    { type: "Hashtag", href: `${REMOTE}/tags/cats`, name: "#cats" },
  ],
  attachment: [
    { type: "Document", mediaType: "image/png", url: `${REMOTE}/media/1.png`, name: "a <b>cat</b>", blurhash: "UBL_:rOpGG-;~qRjWBae00xu%MR*", focalPoint: [0.25, -0.5], width: 640, height: 480 },
    { type: "Document", mediaType: "image/png", url: "javascript:alert(1)" },
  ],
  ...extra,
});

const create = (object: unknown, extra: Record<string, unknown> = {}) => ({
  "@context": MASTODON_CONTEXT,
  id: `${BOB}/statuses/1/activity`,
  type: "Create",
  actor: BOB,
  to: [PUBLIC],
  object,
  ...extra,
});

describe("inbox translation (fakes)", () => {
  it("translates a Mastodon Note into the inbound services' input", async () => {
    const { env, calls } = fakeEnv();
    assert.deepEqual(await ingestActivity(env, create(note()), BOB), { applied: "create" });
    assert.equal(calls.length, 1);
    const { name, input } = calls[0];
    assert.equal(name, "receiveStatus");
    assert.equal(input.authorId, 2n);
    assert.equal(input.uri, `${BOB}/statuses/1`);
    assert.equal(input.url, `${REMOTE}/@bob/1`);
    assert.doesNotMatch(input.html, /script|onerror|alert\(1\)|<img/);
    assert.match(input.html, /Hello/);
    assert.equal(input.spoilerText, "CW: spoilers");
    assert.equal(input.visibility, "public");
    assert.equal(input.sensitive, true);
    assert.equal(input.language, "en");
    assert.deepEqual(input.mentionIds, [1n, 3n]);
    assert.deepEqual(input.tags, ["Cats"]);
    assert.equal(input.media.length, 1, "the javascript: URL is dropped");
    assert.deepEqual(input.media[0], {
      remoteUrl: `${REMOTE}/media/1.png`, contentType: "image/png", description: "a cat", blurhash: "UBL_:rOpGG-;~qRjWBae00xu%MR*",
      focus: { x: 0.25, y: -0.5 }, width: 640, height: 480,
    });
    assert.equal(input.createdAt, Date.parse("2026-01-02T03:04:05Z"));
    assert.equal(input.editedAt, null);
    assert.equal(input.conversationUri, "tag:remote.example,2026-01-02:objectId=1:objectType=Conversation");
    assert.equal(input.poll, null);
    assert.equal(input.inReplyToId, null);
  });

  it("reads visibility from the addressing", () => {
    const u = (s: string) => new URL(s);
    const followers = `${BOB}/followers`;
    assert.equal(visibilityOf([u(PUBLIC)], [], followers), "public");
    assert.equal(visibilityOf([u(followers)], [u(PUBLIC)], followers), "unlisted");
    assert.equal(visibilityOf([u(followers)], [], followers), "private");
    assert.equal(visibilityOf([u(`${LOCAL}/users/ana`)], [], followers), "direct");
    assert.equal(visibilityOf([u("https://remote.example/users/bob/collections/everyone")], [], null), "direct");
  });

  it("keeps hashtag names that are names", () => {
    assert.equal(hashtagName("#Café_2"), "Café_2");
    assert.equal(hashtagName("#no spaces"), null);
    assert.equal(hashtagName("#<script>"), null);
    assert.equal(hashtagName(""), null);
  });

  it("translates a Question into a poll", async () => {
    const { env, calls } = fakeEnv();
    const question = {
      id: `${BOB}/statuses/2`, type: "Question", attributedTo: BOB, to: [`${BOB}/followers`], content: "<p>Which?</p>",
      endTime: "2026-02-01T00:00:00Z", votersCount: 5,
      anyOf: [
        { type: "Note", name: "<b>Tea</b>", replies: { type: "Collection", totalItems: 3 } },
        { type: "Note", name: "Coffee", replies: { type: "Collection", totalItems: 4 } },
      ],
    };
    assert.deepEqual(await ingestActivity(env, create(question, { id: `${BOB}/statuses/2/activity` }), BOB), { applied: "create" });
    const input = calls[0].input;
    assert.equal(input.visibility, "private");
    assert.deepEqual(input.poll, {
      options: [{ title: "Tea", votesCount: 3 }, { title: "Coffee", votesCount: 4 }], multiple: true, expiresAt: Date.parse("2026-02-01T00:00:00Z"), votersCount: 5,
    });
  });

  it("turns a named Note replying to a local poll into a vote", async () => {
    const { env, calls } = fakeEnv();
    const vote = { id: `${BOB}#votes/1`, type: "Note", attributedTo: BOB, name: "Tea", inReplyTo: `${LOCAL}/users/ana/statuses/10`, to: [`${LOCAL}/users/ana`] };
    assert.deepEqual(await ingestActivity(env, create(vote, { id: `${BOB}#votes/1/activity` }), BOB), { applied: "vote" });
    assert.deepEqual(calls, [{ name: "receiveVote", input: { accountId: 2n, statusId: 10n, choiceTitles: ["Tea"] } }]);
  });

  it("fetches an unknown reply parent and stores it first, up the thread while ancestors are unknown", async () => {
    const parentUri = "https://other.example/users/carl/statuses/9";
    const { env, calls, fetched } = fakeEnv({
      [parentUri]: {
        "@context": AS, id: parentUri, type: "Note", attributedTo: "https://other.example/users/carl", to: [PUBLIC], content: "parent",
        inReplyTo: "https://other.example/users/carl/statuses/8",
      },
    });
    assert.deepEqual(await ingestActivity(env, create(note({ inReplyTo: parentUri })), BOB), { applied: "create" });
    assert.deepEqual(fetched, [parentUri, "https://other.example/users/carl/statuses/8"], "the grandparent is tried too (and is not there)");
    assert.deepEqual(calls.map((c) => c.name), ["receiveStatus", "receiveStatus"]);
    assert.equal(calls[0].input.uri, parentUri);
    assert.equal(calls[0].input.inReplyToId, null);
    assert.equal(calls[1].input.inReplyToId, 100n);
  });

  it("stops fetching ancestors after MAX_ANCESTORS", async () => {
    const at = (n: number) => `https://other.example/users/carl/statuses/${n}`;
    const chain: Record<string, unknown> = {};
    for (let n = 1; n <= 10; n++)
      chain[at(n)] = { "@context": AS, id: at(n), type: "Note", attributedTo: "https://other.example/users/carl", to: [PUBLIC], content: `n${n}`, inReplyTo: at(n - 1) };
    const { env, calls, fetched } = fakeEnv(chain);
    assert.deepEqual(await ingestActivity(env, create(note({ inReplyTo: at(10) })), BOB), { applied: "create" });
    assert.deepEqual(fetched, [at(10), at(9), at(8), at(7)], "four ancestors, nearest first");
    assert.equal(calls.length, 5, "four ancestors, then the reply");
    assert.equal(calls[0].input.uri, at(7));
    assert.equal(calls[0].input.inReplyToId, null, "the fifth ancestor is left unknown");
  });

  it("ignores posts that are not the actor's", async () => {
    const { env, calls } = fakeEnv();
    assert.deepEqual(await ingestActivity(env, create(note({ attributedTo: "https://other.example/users/carl" })), BOB), { ignored: "create of a post not the actor's" });
    assert.deepEqual(await ingestActivity(env, create(note()), "https://other.example/users/carl"), { ignored: "actor is not the signer" });
    assert.deepEqual(await ingestActivity(env, create(note(), { id: "https://other.example/activity/1" }), BOB), { ignored: "activity id on another origin" });
    // Embedded from another origin: Fedify will not vouch for it, and fetching it finds nothing.
    const foreign = await ingestActivity(env, create(note({ id: "https://other.example/users/carl/statuses/1" })), BOB);
    assert.ok("ignored" in foreign);
    assert.equal(calls.length, 0);
  });

  it("translates follows, answers and undos", async () => {
    const { env, calls } = fakeEnv();
    const base = { "@context": AS, actor: BOB };
    await ingestActivity(env, { ...base, id: `${BOB}#follows/1`, type: "Follow", object: `${LOCAL}/users/ana` }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#accepts/1`, type: "Accept", object: { id: `${LOCAL}/users/ana#follows/2/77`, type: "Follow", actor: `${LOCAL}/users/ana`, object: BOB } }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#rejects/1`, type: "Reject", object: `${LOCAL}/users/ana#follows/2/78` }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#undo/1`, type: "Undo", object: { id: `${BOB}#follows/1`, type: "Follow", actor: BOB, object: `${LOCAL}/users/ana` } }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#undo/2`, type: "Undo", object: { id: `${BOB}#likes/1`, type: "Like", actor: BOB, object: `${LOCAL}/users/ana/statuses/10` } }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#undo/3`, type: "Undo", object: { id: `${BOB}/statuses/3/activity`, type: "Announce", actor: BOB, object: `${LOCAL}/users/ana/statuses/10` } }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#undo/4`, type: "Undo", object: { id: `${BOB}#blocks/1`, type: "Block", actor: BOB, object: `${LOCAL}/users/ana` } }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#undo/5`, type: "Undo", object: `${BOB}/statuses/4/activity` }, BOB);
    assert.deepEqual(calls, [
      { name: "receiveFollow", input: { followerId: 2n, targetId: 1n, followUri: `${BOB}#follows/1` } },
      { name: "receiveAccept", input: { localFollowerId: 1n, remoteTargetId: 2n } },
      { name: "receiveReject", input: { localFollowerId: 1n, remoteTargetId: 2n } },
      { name: "receiveUndoFollow", input: { followerId: 2n, targetId: 1n } },
      { name: "receiveUndoLike", input: { accountId: 2n, statusId: 10n } },
      { name: "receiveUndoAnnounce", input: { accountId: 2n, uri: `${BOB}/statuses/3/activity` } },
      { name: "receiveUndoBlock", input: { accountId: 2n, targetId: 1n } },
      { name: "receiveUndoAnnounce", input: { accountId: 2n, uri: `${BOB}/statuses/4/activity` } },
    ]);
  });

  it("refuses to let one actor undo another's activity or answer another's follow", async () => {
    const { env, calls } = fakeEnv();
    const base = { "@context": AS, actor: BOB };
    const carl = "https://other.example/users/carl";
    assert.ok("ignored" in (await ingestActivity(env, { ...base, id: `${BOB}#undo/9`, type: "Undo", object: { id: `${BOB}#f`, type: "Follow", actor: carl, object: `${LOCAL}/users/ana` } }, BOB)));
    assert.ok("ignored" in (await ingestActivity(env, { ...base, id: `${BOB}#accepts/9`, type: "Accept", object: { type: "Follow", actor: `${LOCAL}/users/ana`, object: carl } }, BOB)));
    assert.equal(calls.length, 0);
  });

  it("translates likes, boosts, deletes, blocks, flags, moves, updates and pins", async () => {
    const announced = "https://other.example/users/carl/statuses/7";
    const { env, calls } = fakeEnv({
      [announced]: { "@context": AS, id: announced, type: "Note", attributedTo: "https://other.example/users/carl", to: [PUBLIC], content: "boosted" },
    });
    const base = { "@context": MASTODON_CONTEXT, actor: BOB };
    await ingestActivity(env, { ...base, id: `${BOB}#likes/1`, type: "Like", object: `${LOCAL}/users/ana/statuses/10` }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}/statuses/3/activity`, type: "Announce", published: "2026-01-03T00:00:00Z", to: [PUBLIC], object: `${LOCAL}/users/ana/statuses/10` }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}/statuses/4/activity`, type: "Announce", to: [`${BOB}/followers`], object: announced }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}/statuses/5#delete`, type: "Delete", object: { id: `${BOB}/statuses/5`, type: "Tombstone" } }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#blocks/1`, type: "Block", object: `${LOCAL}/users/ana` }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#flags/1`, type: "Flag", content: "<p>spam</p>", object: [`${LOCAL}/users/ana`, `${LOCAL}/users/ana/statuses/10`] }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#moves/1`, type: "Move", object: BOB, target: "https://other.example/users/carl" }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#add/1`, type: "Add", object: `${REMOTE}/users/bob/statuses/5`, target: `${BOB}/collections/featured` }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#remove/1`, type: "Remove", object: `${REMOTE}/users/bob/statuses/5`, target: `${BOB}/collections/featured` }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#updates/1`, type: "Update", object: note({ updated: "2026-01-05T00:00:00Z" }) }, BOB);
    await ingestActivity(env, { ...base, id: `${BOB}#delete`, type: "Delete", object: BOB }, BOB);
    const names = calls.map((c) => c.name);
    assert.deepEqual(names, [
      "receiveLike", "receiveAnnounce", "receiveStatus", "receiveAnnounce", "receiveDeleteStatus", "receiveBlock", "receiveFlag", "receiveMove",
      "receiveFeatured", "receiveFeatured", "receiveStatusUpdate", "receiveActorDeleted",
    ]);
    assert.deepEqual(calls[0].input, { accountId: 2n, statusId: 10n });
    assert.deepEqual(calls[1].input, { accountId: 2n, statusId: 10n, uri: `${BOB}/statuses/3/activity`, createdAt: Date.parse("2026-01-03T00:00:00Z"), visibility: "public" });
    assert.equal(calls[2].input.authorId, 3n, "the announced post is stored as its author's");
    assert.equal(calls[3].input.visibility, "private");
    assert.deepEqual(calls[4].input, { actorId: 2n, uri: `${BOB}/statuses/5` });
    assert.deepEqual(calls[5].input, { accountId: 2n, targetId: 1n });
    assert.deepEqual(calls[6].input, { reporterId: 2n, targetAccountId: 1n, statusIds: [10n], comment: "spam", uri: `${BOB}#flags/1` });
    assert.deepEqual(calls[7].input, { accountId: 2n, targetId: 3n });
    assert.deepEqual(calls[8].input, { accountId: 2n, statusId: 20n, featured: true });
    assert.deepEqual(calls[9].input, { accountId: 2n, statusId: 20n, featured: false });
    assert.equal(calls[10].input.editedAt, Date.parse("2026-01-05T00:00:00Z"));
    assert.deepEqual(calls[11].input, { accountId: 2n });
  });

  it("accepts and ignores unknown types and unresolvable objects", async () => {
    const { env, calls } = fakeEnv();
    const base = { "@context": AS, actor: BOB };
    assert.deepEqual(await ingestActivity(env, { ...base, id: `${BOB}#x`, type: "Wibble" }, BOB), { ignored: "unhandled type" });
    assert.deepEqual(await ingestActivity(env, { ...base, id: `${BOB}#x`, type: "Listen", object: `${REMOTE}/songs/1` }, BOB), { ignored: "unhandled type" });
    assert.deepEqual(await ingestActivity(env, { ...base, id: `${BOB}#y`, type: "Like", object: `${REMOTE}/users/bob/statuses/404` }, BOB), { ignored: "like of an unknown status" });
    assert.deepEqual(await ingestActivity(env, { ...base, id: `${BOB}#z`, type: "Follow", object: `${LOCAL}/users/nobody` }, BOB), { ignored: "follow of no local account" });
    assert.deepEqual(await ingestActivity(env, { ...base, id: `${BOB}#w`, type: "Add", object: `${BOB}/statuses/5`, target: `${BOB}/collections/other` }, BOB), { ignored: "add/remove to another collection" });
    assert.equal(calls.length, 0);
  });
});

describe("local URLs", () => {
  it("names local accounts and statuses as Herd shapes their URLs, and nothing else", () => {
    assert.deepEqual(parseLocalUrl(new URL(`${LOCAL}/users/ana`), LOCAL), { username: "ana", statusId: null });
    assert.deepEqual(parseLocalUrl(new URL(`${LOCAL}/users/ana#main-key`), LOCAL), { username: "ana", statusId: null });
    assert.deepEqual(parseLocalUrl(new URL(`${LOCAL}/@ana`), LOCAL), { username: "ana", statusId: null });
    assert.deepEqual(parseLocalUrl(new URL(`${LOCAL}/users/ana/statuses/123`), LOCAL), { username: "ana", statusId: 123n });
    assert.deepEqual(parseLocalUrl(new URL(`${LOCAL}/@ana/123`), LOCAL), { username: "ana", statusId: 123n });
    assert.equal(parseLocalUrl(new URL(`${REMOTE}/users/ana`), LOCAL), null);
    assert.equal(parseLocalUrl(new URL(`${LOCAL}/users/ana/followers`), LOCAL), null);
    assert.equal(parseLocalUrl(new URL(`${LOCAL}/users/ana?x=1`), LOCAL), null);
    assert.equal(parseLocalUrl(new URL(`${LOCAL}/users/ana/statuses/99999999999999999999999`), LOCAL), null);
  });
});

describe("inbox guard helpers", () => {
  it("reads the key hosts of both signature forms", () => {
    const headers = new Headers({
      signature: 'keyId="https://Remote.Example:8443/users/bob#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="abc"',
      "signature-input": 'sig1=("@method" "@target-uri");created=1;keyid="https://other.example/actor#key", sig2=();keyid="not a url"',
    });
    assert.deepEqual(signatureKeyHosts(headers).sort(), ["other.example", "remote.example:8443"]);
    assert.deepEqual(signatureKeyHosts(new Headers()), []);
    assert.deepEqual(bodyHosts({ actor: { id: "https://A.example/u" }, signature: { creator: "https://b.example/k#main-key" } }).sort(), ["a.example", "b.example"]);
    assert.deepEqual(bodyHosts({ actor: 5 }), []);
  });

  it("says why a body is no activity", () => {
    assert.equal(malformedActivity("{"), "Invalid JSON.");
    assert.equal(malformedActivity("[1]"), "An activity is a JSON object.");
    assert.equal(malformedActivity('{"type":"Follow","actor":"x"}'), "Not JSON-LD: no @context.");
    assert.equal(malformedActivity(JSON.stringify({ "@context": AS, type: "Follow", actor: BOB, object: `${LOCAL}/users/ana` })), null);
    assert.equal(malformedActivity(JSON.stringify({ "@context": AS, actor: BOB })), "Activity without a type.");
    assert.equal(malformedActivity(JSON.stringify({ "@context": AS, type: "Follow" })), "Activity without an actor.");
    const deep = `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`;
    assert.equal(malformedActivity(`{"@context":"${AS}","type":"Create","actor":"${BOB}","object":${deep}}`), "Activity nested too deeply.");
    assert.equal(jsonDepth({ a: [{ b: 1 }] }, 10), 3);
    assert.deepEqual(remoteContexts({ "@context": [AS, "https://pleroma.example/schemas/litepub-0.1.jsonld"], object: { "@context": "https://x.example/c" } }).sort(), [
      "https://pleroma.example/schemas/litepub-0.1.jsonld", "https://x.example/c",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// End to end: a remote peer on 127.0.0.1 signs activities and POSTs them to the inboxes of a running instance.

const LOOPBACK = { LOCAL_HTTPS: "false", ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" };

/**
 * Reads until `ok` holds (or a bounded number of rounds passed), draining the queues between reads: an effect
 * several jobs away (ingest → fan-out → feed) can outrun one drain, which samples the queues one at a time.
 */
async function until<T>(t: TestApp, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let round = 0; round < 50 && !ok(value); round++) {
    await t.drain();
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

/** The app the inbox requests go to: the client app, with the inbox guard in front (see inboxGuard). */
function inboxApp(t: TestApp) {
  const deps = { db: t.container.db, cache: t.container.cache, clock: t.container.clock, instance: t.container.jobDeps.instance, http: t.container.http };
  const front = new Hono();
  for (const path of ["/inbox", "/users/:username/inbox"]) front.use(path, inboxGuard(deps));
  front.all("*", (c) => t.app.fetch(c.req.raw));
  return front;
}

for (const variant of appVariants) {
  describe(`inbox (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    let peer: RemotePeer;
    let app: Hono;
    before(async () => {
      t = await startTestApp(variant.name, LOOPBACK);
      peer = await startRemotePeer();
      app = inboxApp(t);
    });
    after(async () => {
      await t?.close();
      await peer?.close();
    });

    const post = async (request: Request) => {
      const res = await app.request(request);
      return { status: res.status, text: await res.text() };
    };
    const send = async (actor: PeerActor, path: string, activity: unknown, options?: Parameters<PeerActor["sign"]>[2]) => {
      const res = await post(await actor.sign(`${t.baseUrl}${path}`, JSON.stringify(activity), options));
      assert.ok(res.status < 500, `${res.status}: ${res.text}`);
      return res;
    };
    const followers = async (token: string, accountId: string) => expectStatus(await t.request("GET", `/api/v1/accounts/${accountId}/followers`, { token }), 200).body as any[];
    const remoteId = async (uri: string) => String((await t.container.db.repos.accounts.findByUri(uri))!.id);

    it("accepts a signed Follow (202) and the local account gains the follower", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bob = await peer.actor(uniqueName("bob"));
      const follow = { "@context": AS, id: `${bob.id}#follows/1`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` };
      assert.equal((await send(bob, `/users/${name}/inbox`, follow)).status, 202);
      // The same activity again (a replayed delivery) has no second effect.
      assert.equal((await send(bob, "/inbox", follow)).status, 202);
      assert.equal((await send(bob, `/users/${name}/inbox`, follow)).status, 202);
      await t.drain();
      const list = await followers(ana.token, ana.accountId);
      assert.deepEqual(list.map((a) => a.acct), [`${bob.id.split("/").pop()}@${peer.host}`]);
      // Herd answered with an Accept to the follower's inbox.
      assert.ok(peer.delivered.some((d: any) => d?.type === "Accept"), "an Accept was delivered");
    });

    it("verifies RFC 9421 signatures too", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bob = await peer.actor(uniqueName("bob"));
      const follow = { "@context": AS, id: `${bob.id}#follows/9421`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` };
      assert.equal((await send(bob, "/inbox", follow, { spec: "rfc9421" })).status, 202);
      await t.drain();
      assert.equal((await followers(ana.token, ana.accountId)).length, 1);
    });

    it("accepts an activity carrying an Object Integrity Proof without an HTTP signature", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bob = await peer.actor(uniqueName("bob"));
      const body = await bob.prove({ "@context": AS, id: `${bob.id}#follows/proof`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` });
      assert.match(body, /eddsa-jcs-2022/);
      const res = await post(new Request(`${t.baseUrl}/inbox`, { method: "POST", headers: { "content-type": "application/activity+json" }, body }));
      assert.equal(res.status, 202, res.text);
      await t.drain();
      assert.equal((await followers(ana.token, ana.accountId)).length, 1);
      // The proof covers the document: a changed object fails it, and without an HTTP signature that is a 401.
      const forged = JSON.parse(body);
      forged.id = `${bob.id}#follows/forged`;
      const refused = await post(new Request(`${t.baseUrl}/inbox`, { method: "POST", headers: { "content-type": "application/activity+json" }, body: JSON.stringify(forged) }));
      assert.equal(refused.status, 401);
    });

    it("answers 401 to unsigned, badly signed, stale and mismatched requests, and applies none", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bob = await peer.actor(uniqueName("bob"));
      const mallory = await peer.actor(uniqueName("mallory"));
      const follow = (n: number) => ({ "@context": AS, id: `${bob.id}#follows/${n}`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` });
      const unsigned = await post(new Request(`${t.baseUrl}/inbox`, { method: "POST", headers: { "content-type": "application/activity+json" }, body: JSON.stringify(follow(1)) }));
      assert.equal(unsigned.status, 401);
      // Signed, then the body changed: the digest no longer matches.
      const signed = await bob.sign(`${t.baseUrl}/inbox`, JSON.stringify(follow(2)));
      const tampered = new Request(signed.url, { method: "POST", headers: signed.headers, body: JSON.stringify(follow(3)) });
      assert.equal((await post(tampered)).status, 401);
      // Signed by mallory's key while claiming to be bob.
      assert.equal((await send(mallory, "/inbox", follow(4))).status, 401);
      // Two hours old: outside Mastodon's (and Fedify's) one-hour window.
      assert.equal((await send(bob, "/inbox", follow(5), { date: new Date(Date.now() - 2 * 3_600_000) })).status, 401);
      await t.drain();
      assert.equal((await followers(ana.token, ana.accountId)).length, 0);
    });

    it("refuses requests from a suspended domain before fetching anything", async () => {
      const name = uniqueName("ana");
      await t.user(name);
      const bob = await peer.actor(uniqueName("bob"));
      const blocked = await blockDomain({ ...t.container.jobDeps }, { domain: "127.0.0.1", severity: "suspend" });
      assert.ok(blocked.ok);
      try {
        const before = peer.requests.length;
        const res = await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#follows/1`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` });
        assert.equal(res.status, 403);
        assert.equal(peer.requests.length, before, "no key was fetched");
      } finally {
        await unblockDomain({ ...t.container.jobDeps }, "127.0.0.1");
      }
      // An activity of a suspended domain's actor, relayed by a server that is not suspended: refused all the same.
      assert.ok((await blockDomain({ ...t.container.jobDeps }, { domain: "suspended.example", severity: "suspend" })).ok);
      const before = peer.requests.length;
      const relayed = { "@context": AS, id: "https://suspended.example/users/x#follows/1", type: "Follow", actor: "https://suspended.example/users/x", object: `${t.baseUrl}/users/${name}` };
      assert.equal((await send(bob, "/inbox", relayed)).status, 403);
      assert.equal(peer.requests.length, before);
    });

    it("delivers a followed account's post with mention, hashtag and CW to the home timeline, sanitized", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bobName = uniqueName("bob");
      const bob = await peer.actor(bobName);
      // bob becomes known (his Follow), then ana follows him back and he accepts.
      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#follows/1`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` });
      await t.drain();
      const bobId = await remoteId(bob.id);
      expectStatus(await t.request("POST", `/api/v1/accounts/${bobId}/follow`, { token: ana.token }), 200);
      await t.drain();
      const sent = peer.delivered.find((d: any) => d?.type === "Follow" && d.actor === `${t.baseUrl}/users/${name}`) as any;
      assert.ok(sent, "Herd delivered ana's Follow");
      await send(bob, `/users/${name}/inbox`, { "@context": AS, id: `${bob.id}#accepts/1`, type: "Accept", actor: bob.id, object: sent });
      await t.drain();
      const rel = expectStatus(await t.request("GET", `/api/v1/accounts/relationships?id[]=${bobId}`, { token: ana.token }), 200).body[0];
      assert.equal(rel.following, true);

      const noteId = `${bob.id}/statuses/1`;
      const note = {
        id: noteId, type: "Note", attributedTo: bob.id, published: new Date().toISOString(), url: `${peer.origin}/@${bobName}/1`,
        to: [PUBLIC], cc: [`${bob.id}/followers`, `${t.baseUrl}/users/${name}`],
        summary: "spoilers <b>ahead</b>", sensitive: true,
        content: `<p>Hi <span class="h-card"><a href="${t.baseUrl}/@${name}" class="u-url mention">@${name}</a></span> <a href="${peer.origin}/tags/herdtest" class="mention hashtag" rel="tag">#<span>herdtest</span></a><script>alert(1)</script><img src="x" onerror="alert(2)"></p>`,
        tag: [{ type: "Mention", href: `${t.baseUrl}/users/${name}`, name: `@${name}@herd.test` }, { type: "Hashtag", href: `${peer.origin}/tags/herdtest`, name: "#herdtest" }],
      };
      assert.equal((await send(bob, "/inbox", { "@context": MASTODON_CONTEXT, id: `${noteId}/activity`, type: "Create", actor: bob.id, to: note.to, cc: note.cc, object: note })).status, 202);
      await t.drain();
      const readHome = async () => expectStatus(await t.request("GET", "/api/v1/timelines/home", { token: ana.token }), 200).body as any[];
      const home = await until(t, readHome, (list) => list.some((s) => s.uri === noteId));
      const status = home.find((s) => s.uri === noteId);
      assert.ok(status, "the post is in ana's home timeline");
      assert.equal(status.spoiler_text, "spoilers ahead");
      assert.equal(status.sensitive, true);
      assert.equal(status.visibility, "public");
      assert.doesNotMatch(status.content, /<script|onerror|<img/);
      assert.deepEqual(status.tags.map((x: any) => x.name), ["herdtest"]);
      assert.deepEqual(status.mentions.map((m: any) => m.id), [ana.accountId]);
      const readNotes = async () => expectStatus(await t.request("GET", "/api/v1/notifications", { token: ana.token }), 200).body as any[];
      const notes = await until(t, readNotes, (list) => list.some((n) => n.type === "mention"));
      assert.ok(notes.some((n) => n.type === "mention" && n.status?.uri === noteId), "ana was notified of the mention");

      // Deleted at the origin: gone here too.
      await send(bob, "/inbox", { "@context": AS, id: `${noteId}#delete`, type: "Delete", actor: bob.id, object: { id: noteId, type: "Tombstone" } });
      await t.drain();
      expectStatus(await t.request("GET", `/api/v1/statuses/${status.id}`, { token: ana.token }), 404);
    });

    it("applies likes and boosts of a local post, and their undoing", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bob = await peer.actor(uniqueName("bob"));
      const posted = expectStatus(await t.request("POST", "/api/v1/statuses", { token: ana.token, form: { status: "hello fediverse" } }), 200).body;
      const object = `${t.baseUrl}/users/${name}/statuses/${posted.id}`;
      const like = { "@context": AS, id: `${bob.id}#likes/1`, type: "Like", actor: bob.id, object };
      const announce = { "@context": AS, id: `${bob.id}/statuses/2/activity`, type: "Announce", actor: bob.id, published: new Date().toISOString(), to: [PUBLIC], cc: [`${bob.id}/followers`], object };
      await send(bob, "/inbox", like);
      await send(bob, "/inbox", announce);
      await t.drain();
      let seen = expectStatus(await t.request("GET", `/api/v1/statuses/${posted.id}`, { token: ana.token }), 200).body;
      assert.equal(seen.favourites_count, 1);
      assert.equal(seen.reblogs_count, 1);
      const readNotes = async () => expectStatus(await t.request("GET", "/api/v1/notifications", { token: ana.token }), 200).body as any[];
      const notes = await until(t, readNotes, (list) => list.length >= 2);
      assert.deepEqual(notes.map((n) => n.type).sort(), ["favourite", "reblog"]);

      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#likes/1/undo`, type: "Undo", actor: bob.id, object: like });
      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}/statuses/2#undo`, type: "Undo", actor: bob.id, object: announce });
      await t.drain();
      seen = expectStatus(await t.request("GET", `/api/v1/statuses/${posted.id}`, { token: ana.token }), 200).body;
      assert.equal(seen.favourites_count, 0);
      assert.equal(seen.reblogs_count, 0);
    });

    it("accepts the Delete of an actor whose server now answers 410, and nothing else unverified", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bobName = uniqueName("bob");
      const bob = await peer.actor(bobName);
      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#follows/1`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` });
      await t.drain();
      assert.equal((await followers(ana.token, ana.accountId)).length, 1);
      const bobId = await remoteId(bob.id);
      // The account is deleted at its origin; Herd's caches of its key and document are gone too (expired).
      peer.gone(`/users/${bobName}`);
      const kv = new CacheKvStore(t.container.cache);
      for await (const entry of kv.list()) if (entry.key.some((k) => k.includes(bob.id))) await kv.delete(entry.key);
      forgetInboxKeys();
      const del = { "@context": AS, id: `${bob.id}#delete`, type: "Delete", actor: bob.id, to: [PUBLIC], object: bob.id };
      // Anything but the actor's own Delete stays refused when the key cannot be fetched.
      assert.equal((await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#follows/2`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${name}` })).status, 401);
      assert.equal((await send(bob, "/inbox", del)).status, 202);
      await t.drain();
      assert.equal((await followers(ana.token, ana.accountId)).length, 0, "the deleted account no longer follows");
      const account = await t.container.db.repos.accounts.findById(BigInt(bobId));
      assert.ok(account === null || account.suspendedAt !== null, "the account is removed");
    });

    it("applies edits, profile updates, poll votes, reports and blocks", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const bobName = uniqueName("bob");
      const bob = await peer.actor(bobName);
      const local = `${t.baseUrl}/users/${name}`;
      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#follows/1`, type: "Follow", actor: bob.id, object: local });
      await t.drain();
      const bobId = await remoteId(bob.id);

      // An edit of a post.
      const noteId = `${bob.id}/statuses/10`;
      const note = { id: noteId, type: "Note", attributedTo: bob.id, to: [PUBLIC], published: new Date(Date.now() - 60_000).toISOString(), content: "<p>first</p>" };
      await send(bob, "/inbox", { "@context": AS, id: `${noteId}/activity`, type: "Create", actor: bob.id, to: [PUBLIC], object: note });
      await t.drain();
      const stored = (await t.container.db.repos.statuses.findByUri(noteId))!;
      await send(bob, "/inbox", { "@context": AS, id: `${noteId}#updates/1`, type: "Update", actor: bob.id, to: [PUBLIC], object: { ...note, content: "<p>second</p>", updated: new Date().toISOString() } });
      await t.drain();
      const edited = expectStatus(await t.request("GET", `/api/v1/statuses/${stored.id}`, { token: ana.token }), 200).body;
      assert.match(edited.content, /second/);
      assert.ok(edited.edited_at, "marked as edited");

      // A profile update: re-read from the actor's server.
      peer.edit(bobName, { name: "Bob Renamed" });
      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#updates/profile`, type: "Update", actor: bob.id, to: [PUBLIC], object: { id: bob.id, type: "Person", name: "Bob Renamed" } });
      await t.drain();
      assert.equal(expectStatus(await t.request("GET", `/api/v1/accounts/${bobId}`, { token: ana.token }), 200).body.display_name, "Bob Renamed");

      // A vote in ana's poll.
      const poll = expectStatus(await t.request("POST", "/api/v1/statuses", { token: ana.token, form: { status: "tea or coffee?", "poll[options][]": ["tea", "coffee"], "poll[expires_in]": "3600" } }), 200).body;
      await send(bob, `/users/${name}/inbox`, {
        "@context": AS, id: `${bob.id}#votes/1/activity`, type: "Create", actor: bob.id, to: [local],
        object: { id: `${bob.id}#votes/1`, type: "Note", attributedTo: bob.id, name: "coffee", inReplyTo: `${local}/statuses/${poll.id}`, to: [local] },
      });
      await t.drain();
      const voted = expectStatus(await t.request("GET", `/api/v1/polls/${poll.poll.id}`, { token: ana.token }), 200).body;
      assert.deepEqual(voted.options.map((o: any) => o.votes_count), [0, 1]);

      // A report (Flag) of ana's post.
      const flagUri = `${peer.origin}/flags/${bobName}`;
      await send(bob, "/inbox", { "@context": AS, id: flagUri, type: "Flag", actor: bob.id, content: "spam <b>here</b>", object: [local, `${local}/statuses/${poll.id}`] });
      await t.drain();
      const report = await t.container.db.repos.reports.findByUri(flagUri);
      assert.ok(report, "the report was stored");
      assert.equal(String(report.targetAccountId), ana.accountId);
      assert.deepEqual(report.statusIds.map(String), [poll.id]);

      // A block: bob no longer follows ana, and ana sees she is blocked.
      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#blocks/1`, type: "Block", actor: bob.id, object: local });
      await t.drain();
      const rel = expectStatus(await t.request("GET", `/api/v1/accounts/relationships?id[]=${bobId}`, { token: ana.token }), 200).body[0];
      assert.equal(rel.blocked_by, true);
      assert.equal(rel.followed_by, false);
      await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#blocks/1/undo`, type: "Undo", actor: bob.id, object: { id: `${bob.id}#blocks/1`, type: "Block", actor: bob.id, object: local } });
      await t.drain();
      assert.equal(expectStatus(await t.request("GET", `/api/v1/accounts/relationships?id[]=${bobId}`, { token: ana.token }), 200).body[0].blocked_by, false);
    });

    it("moves local followers to the new account when it names the old one", async () => {
      const name = uniqueName("ana");
      const ana = await t.user(name);
      const oldName = uniqueName("old");
      const old = await peer.actor(oldName);
      await send(old, "/inbox", { "@context": AS, id: `${old.id}#follows/1`, type: "Follow", actor: old.id, object: `${t.baseUrl}/users/${name}` });
      await t.drain();
      const oldId = await remoteId(old.id);
      expectStatus(await t.request("POST", `/api/v1/accounts/${oldId}/follow`, { token: ana.token }), 200);
      await t.drain();
      const follow = peer.delivered.find((d: any) => d?.type === "Follow" && d.object === old.id) as any;
      await send(old, `/users/${name}/inbox`, { "@context": AS, id: `${old.id}#accepts/1`, type: "Accept", actor: old.id, object: follow });
      await t.drain();
      const newName = uniqueName("new");
      const moved = await peer.actor(newName, { alsoKnownAs: [old.id] });
      peer.edit(oldName, { movedTo: moved.id });
      await send(old, "/inbox", { "@context": AS, id: `${old.id}#moves/1`, type: "Move", actor: old.id, object: old.id, target: moved.id });
      await t.drain();
      const newId = await remoteId(moved.id);
      const readRel = async () => expectStatus(await t.request("GET", `/api/v1/accounts/relationships?id[]=${newId}`, { token: ana.token }), 200).body[0];
      const rel = await until(t, readRel, (r) => r.following || r.requested);
      assert.ok(rel.following || rel.requested, "ana now follows (or asked to follow) the new account");
    });

    it("accepts an unknown activity type and ignores it", async () => {
      const bob = await peer.actor(uniqueName("bob"));
      assert.equal((await send(bob, "/inbox", { "@context": AS, id: `${bob.id}#listen/1`, type: "Listen", actor: bob.id, object: `${peer.origin}/songs/1` })).status, 202);
      await t.drain();
      const ingress = await t.container.queue.counts("ingress");
      assert.equal(ingress.dead + ingress.delayed, 0, "no ingest job failed");
    });
  });
}
