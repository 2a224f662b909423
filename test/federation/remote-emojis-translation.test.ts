import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { preloadedContexts, type DocumentLoader } from "@fedify/fedify";
import { Person } from "@fedify/fedify/vocab";
import { silentLogger } from "../../src/app/logger.ts";
import { emojiTagsOf } from "../../src/federation/emoji-tags.ts";
import type { Inbound, IngestEnv, Lookup } from "../../src/federation/inbox/ingest-env.ts";
import { ingestActivity } from "../../src/federation/inbox/translate-activity.ts";
import type { AccountRecord } from "../../src/ports/repositories/accounts.ts";
import { cleanRemoteEmojis, MAX_REMOTE_EMOJIS } from "../../src/services/emojis/remote-emojis.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
// Mastodon's context for posts and actors, with the toot:Emoji term.
const CONTEXT = [AS, "https://w3id.org/security/v1", { toot: "http://joinmastodon.org/ns#", Emoji: "toot:Emoji", sensitive: "as:sensitive", Hashtag: "as:Hashtag" }];
const REMOTE = "https://remote.example";
const BOB = `${REMOTE}/users/bob`;
const LOCAL = "http://herd.test";

const loader: DocumentLoader = async (url) => {
  if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
  throw new Error(`no document at ${url}`);
};

/** The translation's environment with one remote author; every service call is recorded. */
function fakeEnv() {
  const calls: { name: string; input: any }[] = [];
  const bob = { id: 2n, username: "bob", domain: "remote.example", uri: BOB, url: null, suspendedAt: null } as unknown as AccountRecord;
  const lookup: Lookup = {
    remoteActor: async (uri) => (uri.href === BOB ? bob : null),
    knownRemoteActor: async (uri) => (uri.href === BOB ? bob : null),
    localAccount: async () => null,
    status: async () => null,
    followers: async (a) => `${a.uri}/followers`,
    featured: async () => null,
  };
  const inbound = new Proxy({}, {
    get: (_t, name: string) => async (input: unknown) => {
      calls.push({ name, input });
      return name === "receiveStatus" ? { statusId: 100n, created: true } : null;
    },
  }) as Inbound;
  const env: IngestEnv = { inbound, lookup, loader, log: silentLogger, now: () => 1_700_000_000_000, localOrigin: LOCAL };
  return { env, calls };
}

const emoji = (name: unknown, url: unknown, id?: string) => ({
  type: "Emoji", name, ...(id ? { id } : {}), updated: "2026-01-01T00:00:00Z", icon: { type: "Image", mediaType: "image/png", url },
});

const note = (tag: unknown[], extra: Record<string, unknown> = {}) => ({
  id: `${BOB}/statuses/1`, type: "Note", attributedTo: BOB, published: "2026-01-02T03:04:05Z", to: [PUBLIC], cc: [`${BOB}/followers`],
  content: "<p>hello :blobcat: and :party:</p>", tag, ...extra,
});

const create = (object: unknown, type = "Create") => ({ "@context": CONTEXT, id: `${BOB}/statuses/1/activity-${type}`, type, actor: BOB, to: [PUBLIC], object });

describe("remote custom emojis: translation", () => {
  it("turns a Note's Emoji tags into the status input's emojis, dropping unusable ones", async () => {
    const { env, calls } = fakeEnv();
    const tags = [
      emoji(":blobcat:", `${REMOTE}/emoji/blobcat.png`, `${REMOTE}/emojis/1`),
      { type: "Hashtag", href: `${REMOTE}/tags/cats`, name: "#cats" },
      emoji("party", "https://cdn.example/party.gif"),
      // Pleroma's shape: the id is the icon's URL, on a media host.
      emoji(":pleroma_blob:", "https://media.remote.example/emoji/blob.png", "https://media.remote.example/emoji/blob.png"),
      emoji(":blobcat:", `${REMOTE}/emoji/other.png`, `${REMOTE}/emojis/9`),
      emoji(":a:", `${REMOTE}/emoji/a.png`),
      emoji(":bad-name:", `${REMOTE}/emoji/bad.png`),
      emoji(":ünï:", `${REMOTE}/emoji/u.png`),
      emoji(":script:", "javascript:alert(1)"),
      emoji(":ftp:", "ftp://remote.example/e.png"),
      { type: "Emoji", name: ":noicon:" },
    ];
    const outcome = await ingestActivity(env, create(note(tags)), BOB);
    assert.deepEqual(outcome, { applied: "create" });
    const input = calls.find((c) => c.name === "receiveStatus")?.input;
    assert.ok(input, calls.map((c) => c.name).join());
    assert.deepEqual(input.emojis, [
      { shortcode: "blobcat", url: `${REMOTE}/emoji/blobcat.png`, uri: `${REMOTE}/emojis/1` },
      { shortcode: "party", url: "https://cdn.example/party.gif", uri: null },
      { shortcode: "pleroma_blob", url: "https://media.remote.example/emoji/blob.png", uri: "https://media.remote.example/emoji/blob.png" },
    ]);
    assert.deepEqual(input.tags, ["cats"], "other tags are read as before");
  });

  it("gives an Update's object its emojis too, and an empty list without Emoji tags", async () => {
    const { env, calls } = fakeEnv();
    await ingestActivity(env, create(note([emoji(":blobcat:", `${REMOTE}/emoji/v2.png`)], { updated: "2026-01-03T00:00:00Z" }), "Update"), BOB);
    const update = calls.find((c) => c.name === "receiveStatusUpdate")?.input;
    assert.ok(update, JSON.stringify(calls.map((c) => c.name)));
    assert.deepEqual(update.emojis, [{ shortcode: "blobcat", url: `${REMOTE}/emoji/v2.png`, uri: null }]);
    const { env: env2, calls: calls2 } = fakeEnv();
    await ingestActivity(env2, create(note([])), BOB);
    assert.deepEqual(calls2[0].input.emojis, []);
  });

  it(`keeps at most ${MAX_REMOTE_EMOJIS} emojis of one object`, async () => {
    const { env, calls } = fakeEnv();
    const many = Array.from({ length: MAX_REMOTE_EMOJIS + 10 }, (_, i) => emoji(`:e${i}:`, `${REMOTE}/emoji/${i}.png`));
    await ingestActivity(env, create(note(many)), BOB);
    const got = calls[0].input.emojis;
    assert.equal(got.length, MAX_REMOTE_EMOJIS);
    assert.equal(got[0].shortcode, "e0");
    assert.equal(got.at(-1).shortcode, `e${MAX_REMOTE_EMOJIS - 1}`);
  });

  it("reads an actor's Emoji tags (name, bio and fields share them)", async () => {
    const person = await Person.fromJsonLd(
      {
        "@context": CONTEXT, id: BOB, type: "Person", preferredUsername: "bob", name: "Bob :blobcat:", inbox: `${BOB}/inbox`,
        tag: [emoji(":blobcat:", `${REMOTE}/emoji/blobcat.png`, `${REMOTE}/emojis/1`), emoji(":x:", `${REMOTE}/emoji/x.png`)],
      },
      { documentLoader: loader, contextLoader: loader },
    );
    assert.deepEqual(await emojiTagsOf(person), [{ shortcode: "blobcat", url: `${REMOTE}/emoji/blobcat.png`, uri: `${REMOTE}/emojis/1` }]);
  });

  it("checks plain input the way the services store it", () => {
    assert.deepEqual(
      cleanRemoteEmojis([
        { shortcode: ":ok_1:", url: "http://peer.example/e.png", uri: "javascript:x" },
        { shortcode: "x".repeat(129), url: "https://peer.example/e.png", uri: null },
        { shortcode: "fine", url: "not a url", uri: null },
      ]),
      [{ shortcode: "ok_1", url: "http://peer.example/e.png", uri: null }],
    );
  });
});
