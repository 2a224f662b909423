import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { preloadedContexts, type DocumentLoader } from "@fedify/fedify";
import { Activity, Create, Follow, Undo } from "@fedify/fedify/vocab";
import { parseActivity } from "../../src/federation/inbox/translate-activity.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const loader: DocumentLoader = async (url) => {
  if (Object.hasOwn(preloadedContexts, url)) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
  throw new Error(`not here: ${url}`);
};
const options = { documentLoader: loader, contextLoader: loader };

// As Mastodon sends a post: the ActivityStreams and security contexts and an inline one of its own terms.
const mastodonCreate = () => ({
  "@context": [AS, "https://w3id.org/security/v1", { ostatus: "http://ostatus.org#", sensitive: "as:sensitive", Hashtag: "as:Hashtag", toot: "http://joinmastodon.org/ns#" }],
  id: "https://peer.example/users/ann/statuses/1/activity",
  type: "Create",
  actor: "https://peer.example/users/ann",
  to: [`${AS}#Public`],
  object: {
    id: "https://peer.example/users/ann/statuses/1", type: "Note", attributedTo: "https://peer.example/users/ann",
    content: "<p>Hello</p>", sensitive: true, to: [`${AS}#Public`], tag: [{ type: "Hashtag", name: "#herd", href: "https://peer.example/tags/herd" }],
  },
});

describe("parseActivity", () => {
  it("reads an activity of a plainly named type as the generic parse does", async () => {
    const direct = await parseActivity(mastodonCreate(), options);
    const generic = await Activity.fromJsonLd(mastodonCreate(), options);
    assert.ok(direct instanceof Create);
    assert.deepEqual(await direct.toJsonLd(), await generic.toJsonLd());
    const undo = await parseActivity({ "@context": AS, id: "https://peer.example/u/1", type: "Undo", actor: "https://peer.example/users/ann", object: { id: "https://peer.example/f/1", type: "Follow", actor: "https://peer.example/users/ann", object: "https://here.example/users/bob" } }, options);
    assert.ok(undo instanceof Undo);
    assert.ok((await (undo as Undo).getObject(options)) instanceof Follow);
  });

  it("leaves a type whose name an inline context redefines to the generic parse", async () => {
    const doc = { ...mastodonCreate(), "@context": [AS, { Create: "https://other.example/ns#Create" }] };
    const parsed = await parseActivity(doc, options).catch(() => null);
    assert.ok(!(parsed instanceof Create), "a Create by another vocabulary is not an ActivityStreams Create");
    const retyped = { ...mastodonCreate(), "@context": [AS, { type: "https://other.example/ns#kind" }] };
    assert.ok(!((await parseActivity(retyped, options).catch(() => null)) instanceof Create));
    // Without the ActivityStreams context "Create" names nothing: not a Create, whatever Fedify makes of it.
    const contextless = { ...mastodonCreate(), "@context": "https://w3id.org/security/v1" };
    assert.ok(!((await parseActivity(contextless, options).catch(() => null)) instanceof Create));
  });

  it("parses a type name it does not handle directly, or in a context Fedify does not ship, as before", async () => {
    const emoji = { "@context": [AS, { EmojiReact: "http://litepub.social/ns#EmojiReact" }], id: "https://peer.example/r/1", type: "EmojiReact", actor: "https://peer.example/users/ann", object: "https://here.example/s/1", content: "🐑" };
    const parsed = await parseActivity(emoji, options);
    assert.equal(parsed.constructor.name, (await Activity.fromJsonLd(emoji, options)).constructor.name);
    const unknownContext = { ...mastodonCreate(), "@context": [AS, "https://unknown.example/context.jsonld"] };
    await assert.rejects(parseActivity(unknownContext, options), "the generic parse asks the loader, which refuses");
  });
});
