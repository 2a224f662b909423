import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Hono } from "hono";
import { inboxGuard } from "../../src/federation/inbox/guard.ts";
import { startRemotePeer, type PeerActor, type RemotePeer } from "../fixtures/activities/remote-peer.ts";
import { expectStatus } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const CORPUS = new URL("../fixtures/activities/", import.meta.url);
const AS = "https://www.w3.org/ns/activitystreams";

/**
 * What each document of the corpus may get. 400: no activity at all (not JSON, not JSON-LD, no type or actor,
 * too deep, an id that is no URL); 401: the signer is not the actor; 202: a well-formed activity Herd accepts and
 * then ignores (or applies harmlessly). Never a 5xx. Unlisted files must get one of 400/401/202.
 */
const EXPECTED: Record<string, readonly number[]> = {
  "not-json-truncated": [400], "not-json-html": [400], "not-json-empty": [400], "json-array": [400], "json-string": [400],
  "json-null": [400], "empty-object": [400], "no-context": [400], "no-type": [400], "type-number": [400], "missing-actor": [400],
  "actor-number": [400, 401], "actor-mismatch": [401], "context-number": [400], "context-unknown-url": [400, 401], "invalid-id": [400],
  "huge-nesting": [400], "missing-object": [202], "create-missing-object": [202], "create-of-a-person": [202],
  "object-other-origin": [202], "activity-id-other-origin": [202], "attributed-to-someone-else": [202], "unknown-type": [202],
  "nul-bytes-and-xss": [202], "too-many-tags-and-options": [202],
};

const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ""), text: readFileSync(new URL(f, CORPUS), "utf8") }));

for (const variant of appVariants) {
  describe(`inbox with a malformed corpus (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    let peer: RemotePeer;
    let app: Hono;
    let bob: PeerActor;
    let ana: { accountId: string; token: string };
    let anaName: string;
    let statusId: string;
    before(async () => {
      t = await startTestApp(variant.name, { LOCAL_HTTPS: "false", ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" });
      peer = await startRemotePeer();
      bob = await peer.actor(uniqueName("bob"));
      anaName = uniqueName("ana");
      ana = await t.user(anaName);
      statusId = expectStatus(await t.request("POST", "/api/v1/statuses", { token: ana.token, form: { status: "a local post" } }), 200).body.id;
      const deps = { db: t.container.db, cache: t.container.cache, clock: t.container.clock, instance: t.container.jobDeps.instance, http: t.container.http };
      app = new Hono();
      for (const path of ["/inbox", "/users/:username/inbox"]) app.use(path, inboxGuard(deps));
      app.all("*", (c) => t.app.fetch(c.req.raw));
    });
    after(async () => {
      await t?.close();
      await peer?.close();
    });

    const fill = (text: string, n: number) =>
      text
        .replaceAll("{{ACTOR}}", bob.id)
        .replaceAll("{{PEER}}", peer.origin)
        .replaceAll("{{LOCAL}}", t.baseUrl)
        .replaceAll("{{LOCAL_USER}}", `${t.baseUrl}/users/${anaName}`)
        .replaceAll("{{LOCAL_STATUS}}", `${t.baseUrl}/users/${anaName}/statuses/${statusId}`)
        .replaceAll("{{N}}", String(n));

    it("answers every document with 400, 401 or 202, never 5xx, and nothing crashes", async () => {
      assert.ok(corpus.length >= 30, `corpus of ${corpus.length}`);
      const results: string[] = [];
      let n = 0;
      for (const { name, text } of corpus) {
        const body = fill(text, n++);
        const res = await app.request(await bob.sign(`${t.baseUrl}/inbox`, body));
        const got = res.status;
        await res.text();
        const allowed = EXPECTED[name] ?? [400, 401, 202];
        if (!allowed.includes(got)) results.push(`${name}: ${got} (expected ${allowed.join("/")})`);
      }
      assert.deepEqual(results, []);
      await t.drain(30_000);
      const ingress = await t.container.queue.counts("ingress");
      assert.equal(ingress.dead, 0, "no ingest job failed");
      assert.equal(ingress.delayed, 0, "no ingest job is waiting for a retry");
      // Nothing forged was stored.
      const repos = t.container.db.repos.statuses;
      assert.equal(await repos.findByUri("http://evil.invalid/statuses/1"), null);
      assert.equal(await repos.findByUri(`${bob.id}/statuses/x14`), null, "a post attributed to someone else");
    });

    it("stores hostile content only sanitized and bounded", async () => {
      const status = await t.container.db.repos.statuses.findByUri(`${bob.id}/statuses/x20`);
      assert.ok(status, "the XSS note was stored");
      assert.doesNotMatch(status.text, /<script|javascript:|<iframe|onerror|<style|\u0000/);
      assert.doesNotMatch(status.spoilerText, /<script|\u0000/);
      const shown = expectStatus(await t.request("GET", `/api/v1/statuses/${status.id}`, { token: ana.token }), 200).body;
      assert.equal(shown.media_attachments.length, 0, "no javascript:, data: or file: media");
      const poll = await t.container.db.repos.statuses.findByUri(`${bob.id}/statuses/x21`);
      assert.ok(poll, "the Question of 300 options was stored");
      const seen = expectStatus(await t.request("GET", `/api/v1/statuses/${poll.id}`, { token: ana.token }), 200).body;
      assert.ok(seen.tags.length <= 20, `${seen.tags.length} tags`);
      assert.ok(seen.poll.options.length <= 20, `${seen.poll.options.length} options`);
      assert.ok(seen.poll.options.every((o: any) => Number.isSafeInteger(o.votes_count) && o.votes_count >= 0));
    });

    it("refuses a body over 1 MiB with 413", async () => {
      const big = JSON.stringify({ "@context": AS, id: `${bob.id}#big`, type: "Create", actor: bob.id, object: { type: "Note", content: "x".repeat(1_100_000) } });
      const res = await app.request(await bob.sign(`${t.baseUrl}/inbox`, big));
      assert.equal(res.status, 413);
    });

    it("still federates normally afterwards", async () => {
      const follow = { "@context": AS, id: `${bob.id}#follows/after`, type: "Follow", actor: bob.id, object: `${t.baseUrl}/users/${anaName}` };
      const res = await app.request(await bob.sign(`${t.baseUrl}/users/${anaName}/inbox`, JSON.stringify(follow)));
      assert.equal(res.status, 202);
      await t.drain();
      const list = expectStatus(await t.request("GET", `/api/v1/accounts/${ana.accountId}/followers`, { token: ana.token }), 200).body as any[];
      assert.equal(list.length, 1);
    });
  });
}
