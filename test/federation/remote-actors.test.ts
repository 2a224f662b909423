import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GuardedHttpClient } from "../../src/adapters/http/guarded-http-client.ts";
import type { RemoteActors } from "../../src/federation/remote-actors.ts";
import { plainHttpPeers } from "../../src/federation/plain-http-peers.ts";
import { blockDomain } from "../../src/services/federation/domain-moderation.ts";
import { uniqueName } from "../support/backends.ts";
import { recordingLogger, remoteActorsFor, startRemotePeer, type RemotePeer } from "../support/remote-peer.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const DAY_MS = 86_400_000;

describe("plain-http peers", () => {
  it("are only the listed addresses of an http instance", () => {
    const dev = plainHttpPeers({ https: false, allowedPrivateAddresses: ["127.0.0.1/32", "fd00::/8", "10.1.2.3"] });
    for (const url of ["http://127.0.0.1:3000/users/a", "http://[fd00::5]/x", "http://10.1.2.3/", "http://localhost:8080/"]) assert.equal(dev(new URL(url)), true, url);
    for (const url of ["http://127.0.0.2/", "http://10.1.2.4/", "http://example.com/", "http://127.0.0.1.nip.io/", "https://127.0.0.1/"]) assert.equal(dev(new URL(url)), false, url);
    const prod = plainHttpPeers({ https: true, allowedPrivateAddresses: ["127.0.0.1/32"] });
    assert.equal(prod(new URL("http://127.0.0.1/")), false);
    assert.equal(plainHttpPeers({ https: false, allowedPrivateAddresses: [] })(new URL("http://127.0.0.1/")), false);
  });
});

for (const variant of appVariants) {
  describe(`remote actors (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    let peer: RemotePeer;
    let actors: RemoteActors;
    const log = recordingLogger();
    const logged = (pattern: RegExp) => log.lines.some((l) => pattern.test(l));
    before(async () => {
      t = await startTestApp(variant.name, { ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" });
      peer = await startRemotePeer();
      actors = remoteActorsFor(t, { log });
    });
    after(async () => {
      await peer?.close();
      await t?.close();
    });

    /** A new account on the peer, so that tests do not share rows. */
    const newActor = (prefix: string, extra: Record<string, unknown> = {}) => {
      const name = uniqueName(prefix).replace(/[^a-z0-9_]/gi, "_");
      peer.actors.set(name, peer.person(name, extra));
      return { name, uri: `${peer.base}/users/${name}` };
    };

    const setFetchedAt = (id: bigint, at: number) =>
      t.container.db.kysely.updateTable("accounts").set({ fetched_at: at }).where("id", "=", id).execute();

    it("finds an account by handle through WebFinger and stores it sanitized", async () => {
      const { name, uri } = newActor("alice");
      const account = await actors.resolveHandle(`@${name}@${peer.host}`);
      assert.ok(account, "resolved");
      assert.equal(account.username, name);
      assert.equal(account.domain, peer.host);
      assert.equal(account.uri, uri);
      assert.equal(account.url, `${peer.base}/@${name}`);
      assert.equal(account.actorType, "Person");
      assert.equal(account.locked, true);
      assert.equal(account.bot, false);
      assert.equal(account.discoverable, true);
      assert.equal(account.indexable, true);
      assert.equal(account.createdAt, Date.parse("2020-05-17T00:00:00Z"));
      assert.deepEqual(account.alsoKnownAs, [`https://old.example/users/${name}`]);
      assert.equal(account.movedToAccountId, null);
      assert.ok(account.fetchedAt !== null && account.fetchedAt !== undefined && account.fetchedAt > Date.now() - 60_000);

      // Display name and field names are plain text; the bio and field values keep only allowlisted HTML.
      assert.equal(account.displayName, `${name} :blob:`);
      assert.doesNotMatch(account.note, /script|onerror|onclick|iframe|javascript:|<img/i);
      assert.match(account.note, /^<p>Hi <a href="https:\/\/example\.org\/" rel="nofollow noopener" target="_blank">there<\/a><\/p>/);
      assert.match(account.note, /js/, "an unsafe link keeps its text");
      assert.equal(account.fields.length, 2);
      assert.equal(account.fields[0].name, "Site");
      assert.doesNotMatch(account.fields[0].value, /style|onmouseover|script/);
      assert.match(account.fields[0].value, /^<a href="https:\/\/site\.example\/"[^>]*>site\.example<\/a>$/);
      assert.deepEqual({ name: account.fields[1].name, value: account.fields[1].value }, { name: "Pronouns", value: "they/them" });

      const info = (await t.container.db.repos.accounts.federationInfo([account.id])).get(account.id);
      assert.deepEqual(info, { uri, inboxUrl: `${uri}/inbox`, sharedInboxUrl: `${peer.base}/inbox`, followersUrl: `${uri}/followers` });
      const row = await t.container.db.kysely.selectFrom("accounts").selectAll().where("id", "=", account.id).executeTakeFirstOrThrow();
      assert.equal(row.outbox_url, `${uri}/outbox`);
      assert.equal(row.following_url, `${uri}/following`);
      assert.equal(row.featured_url, `${uri}/collections/featured`);
      assert.equal(row.featured_tags_url, `${uri}/collections/tags`);
      assert.equal(row.avatar_remote_url, `${peer.base}/avatar.png`);
      assert.equal(row.header_remote_url, `${peer.base}/header.png`);

      // The avatar and header are fetched into the cache by the pull queue.
      await t.drain();
      const cached = await t.container.db.repos.accounts.findById(account.id);
      assert.ok(cached?.avatarKey, "avatar cached");
      assert.ok(cached?.headerKey, "header cached");
      assert.equal((await t.container.db.repos.accounts.findRemote(name.toUpperCase(), peer.host))?.id, account.id, "found again case-insensitively");
      assert.equal((await t.container.db.repos.accounts.findByUri(uri))?.id, account.id);
    });

    it("answers a fresh account from the database and fetches a stale one again", async () => {
      const { name, uri } = newActor("bea");
      const first = await actors.resolveHandle(`${name}@${peer.host}`);
      assert.ok(first);
      const fetched = peer.hits(`/users/${name}`);
      assert.equal(fetched, 1);

      assert.equal((await actors.resolveHandle(`acct:${name}@${peer.host}`))?.id, first.id);
      assert.equal((await actors.resolveActor(uri))?.id, first.id);
      assert.equal((await actors.resolveAccount(`@${name}@${peer.host}`))?.id, first.id);
      assert.equal(peer.hits(`/users/${name}`), fetched, "no request while fresh");
      assert.equal(peer.hits(`webfinger:acct:${name}@${peer.host}`), 1);

      peer.actors.set(name, peer.person(name, { name: "Bea Renamed", manuallyApprovesFollowers: false, followers: { type: "OrderedCollection", totalItems: 42 } }));
      await setFetchedAt(first.id, Date.now() - 2 * DAY_MS);
      const again = await actors.resolveHandle(`@${name}@${peer.host}`);
      assert.equal(again?.id, first.id, "the same row");
      assert.equal(again?.displayName, "Bea Renamed");
      assert.equal(again?.locked, false);
      assert.equal(again?.followersCount, 42, "an embedded collection's totalItems is taken");
      assert.equal(peer.hits(`/users/${name}`), fetched + 1, "stale: fetched again");

      await actors.resolveActor(uri, { refresh: true });
      assert.equal(peer.hits(`/users/${name}`), fetched + 2, "refresh fetches even when fresh");

      // A server that stops answering leaves the stored account as it was.
      peer.actors.delete(name);
      const kept = await actors.resolveActor(uri, { refresh: true });
      assert.equal(kept?.id, first.id);
      assert.equal(kept?.displayName, "Bea Renamed");
      peer.actors.set(name, peer.person(name, { name: "Bea Renamed" }));
      // Shown through the API with the new name (cached renderings were forgotten).
      const res = await t.request("GET", `/api/v1/accounts/${first.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.display_name, "Bea Renamed");
      assert.equal(res.body.acct, `${name}@${peer.host}`);
    });

    it("shares one fetch between concurrent resolves of one actor", async () => {
      const { name, uri } = newActor("cid");
      const results = await Promise.all([actors.resolveActor(uri), actors.resolveActor(uri), actors.resolveActor(`${uri}#main-key`), actors.resolveHandle(`${name}@${peer.host}`)]);
      assert.ok(results.every((r) => r !== null && r.id === results[0]!.id), "one account");
      assert.equal(peer.hits(`/users/${name}`), 1);
      const rows = await t.container.db.kysely.selectFrom("accounts").select("id").where("uri", "=", uri).execute();
      assert.equal(rows.length, 1);
    });

    it("refuses an actor document whose id is on another origin", async () => {
      const name = uniqueName("mallory").replace(/[^a-z0-9_]/gi, "_");
      const spoofed = `https://victim.example/users/${name}`;
      peer.actors.set(name, peer.person(name, { id: spoofed }));
      assert.equal(await actors.resolveActor(`${peer.base}/users/${name}`), null);
      assert.equal(await actors.resolveHandle(`${name}@${peer.host}`), null, "nor through WebFinger");
      assert.equal(await t.container.db.repos.accounts.findByUri(spoofed), null);
      assert.equal(await t.container.db.repos.accounts.findRemote(name, peer.host), null);
      assert.ok(peer.hits(`/users/${name}`) >= 1, "it was fetched, and refused");
      assert.ok(logged(new RegExp(`claims the id ${spoofed.replace(/[.]/g, "\\.")}, on another origin`)), "refused as spoofed");
    });

    it("refuses addresses the SSRF guard does not allow, and plain http for peers that are not allowed", async () => {
      const { name, uri } = newActor("dan");
      const strict = new GuardedHttpClient({ allowedPrivateAddresses: [], userAgent: "Herd/test" });
      try {
        const guarded = remoteActorsFor(t, { http: strict, log });
        assert.equal(await guarded.resolveHandle(`${name}@${peer.host}`), null);
        assert.equal(await guarded.resolveActor(uri), null);
        assert.ok(logged(/ALLOWED_PRIVATE_ADDRESSES/), "refused by the guard");
      } finally {
        strict.close();
      }
      assert.equal(peer.hits(`/users/${name}`), 0, "no request reached the peer");
      assert.equal(peer.hits(`webfinger:acct:${name}@${peer.host}`), 0);

      const httpsOnly = remoteActorsFor(t, { allowedHttp: () => false, log });
      assert.equal(await httpsOnly.resolveActor(uri), null, "http actor URLs are refused");
      assert.ok(logged(/plain http is only fetched from allowed development peers/));
      assert.equal(peer.hits(`/users/${name}`), 0);
      assert.equal(await t.container.db.repos.accounts.findByUri(uri), null);
    });

    it("answers null for what is not an actor: 404, malformed JSON, a Note, HTML, garbage input", async () => {
      peer.raw.set("/users/broken", { status: 200, type: "application/activity+json", body: "{ not json" });
      peer.raw.set("/notes/1", {
        status: 200,
        type: "application/activity+json",
        body: JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", id: `${peer.base}/notes/1`, type: "Note", content: "hi" }),
      });
      peer.raw.set("/users/page", { status: 200, type: "text/html", body: "<html><body>hello</body></html>" });
      peer.raw.set("/users/array", { status: 200, type: "application/activity+json", body: "[]" });
      for (const path of ["/users/nobody", "/users/broken", "/notes/1", "/users/page", "/users/array"])
        assert.equal(await actors.resolveActor(`${peer.base}${path}`), null, path);
      assert.equal(await actors.resolveHandle(`nobody@${peer.host}`), null, "WebFinger 404");
      for (const bad of ["", "@", "nobody", "a@b@c", "@x@", "x@host/path", "not a url", "ftp://example.com/x"])
        assert.equal(await actors.resolveAccount(bad), null, JSON.stringify(bad));
      const unreachable = await actors.resolveHandle(`x@127.0.0.1:1`);
      assert.equal(unreachable, null, "connection refused");
    });

    it("refuses a second actor claiming a username@domain already held by another actor id", async () => {
      const { name } = newActor("eve");
      const original = await actors.resolveHandle(`${name}@${peer.host}`);
      assert.ok(original);
      const impostor = `${name}_2`;
      peer.actors.set(impostor, peer.person(name, { id: `${peer.base}/users/${impostor}`, name: "Impostor" }));
      assert.equal(await actors.resolveActor(`${peer.base}/users/${impostor}`), null);
      const kept = await t.container.db.repos.accounts.findRemote(name, peer.host);
      assert.equal(kept?.id, original.id);
      assert.notEqual(kept?.displayName, "Impostor");
      assert.ok(logged(/another actor holds this username and domain/));
    });

    it("records the account an actor moved to, storing that one first", async () => {
      const target = newActor("newhome");
      const { name } = newActor("mover", { movedTo: target.uri });
      const moved = await actors.resolveHandle(`${name}@${peer.host}`);
      assert.ok(moved);
      const stored = await t.container.db.repos.accounts.findByUri(target.uri);
      assert.ok(stored, "the target was fetched and stored");
      assert.equal(moved.movedToAccountId, stored.id);
    });

    it("resolves two actors moved to each other, at once, without waiting forever", async () => {
      const a = newActor("loopa");
      const b = newActor("loopb");
      peer.actors.set(a.name, peer.person(a.name, { movedTo: b.uri }));
      peer.actors.set(b.name, peer.person(b.name, { movedTo: a.uri }));
      const [ra, rb] = await Promise.all([actors.resolveActor(a.uri), actors.resolveActor(b.uri)]);
      assert.ok(ra && rb);
      assert.equal(ra.movedToAccountId, rb.id);
    });

    it("resolves this instance's own handles and actor URLs to local accounts without fetching", async () => {
      const name = uniqueName("local");
      const u = await t.user(name);
      assert.equal(String((await actors.resolveHandle(`@${name}@herd.test`))?.id), u.accountId);
      assert.equal(String((await actors.resolveActor(`${t.baseUrl}/users/${name}`))?.id), u.accountId);
    });

    it("starts accounts of a silenced domain silenced, and asks a suspended domain nothing", async () => {
      const other = await startRemotePeer();
      try {
        const quiet = uniqueName("hush").replace(/[^a-z0-9_]/gi, "_");
        other.actors.set(quiet, other.person(quiet));
        const silenced = await blockDomain(t.container.jobDeps, { domain: other.host, severity: "silence" });
        assert.ok(silenced.ok);
        const account = await actors.resolveHandle(`${quiet}@${other.host}`);
        assert.ok(account);
        assert.ok(account.silencedAt !== null && account.suspendedAt === null, "silenced");

        const gone = uniqueName("gone").replace(/[^a-z0-9_]/gi, "_");
        other.actors.set(gone, other.person(gone));
        assert.ok((await blockDomain(t.container.jobDeps, { domain: other.host, severity: "suspend" })).ok);
        assert.equal(await actors.resolveHandle(`${gone}@${other.host}`), null);
        assert.equal(await actors.resolveActor(`${other.base}/users/${gone}`), null);
        assert.equal(other.hits(`/users/${gone}`) + other.hits(`webfinger:acct:${gone}@${other.host}`), 0, "no request to a suspended domain");
        assert.ok(logged(/is suspended or not allowed/));
      } finally {
        await other.close();
      }
    });

    it("takes the handle domain the actor's own server confirms, for servers whose handles are on another domain", async () => {
      const handles = await startRemotePeer();
      const port = handles.host.split(":")[1];
      const alias = `alias.test:${port}`;
      const evil = `evil.test:${port}`;
      const names = new Map([["alias.test", "127.0.0.1"], ["evil.test", "127.0.0.1"]]);
      const http = new GuardedHttpClient({
        allowedPrivateAddresses: ["127.0.0.1/32"],
        userAgent: "Herd/test",
        resolve: async (hostname) => (names.has(hostname) ? [{ address: names.get(hostname)!, family: 4 }] : []),
      });
      try {
        const dev = remoteActorsFor(t, { http, log, allowedHttp: (u) => u.protocol === "http:" && (u.hostname === "127.0.0.1" || names.has(u.hostname)) });
        const { name, uri } = newActor("zed");
        const self = (subject: string, href = uri) => ({ subject, links: [{ rel: "self", type: "application/activity+json", href }] });
        // The actor's server names its canonical handle; the handle domain points back at the actor.
        peer.jrds.set(`acct:${name}@${peer.host}`, self(`acct:${name}@${alias}`));
        handles.jrds.set(`acct:${name}@${alias}`, self(`acct:${name}@${alias}`));
        handles.jrds.set(`acct:${name}@${evil}`, self(`acct:${name}@${evil}`));

        const found = await dev.resolveHandle(`${name}@${alias}`);
        assert.equal(found?.domain, alias);
        assert.equal(found?.uri, uri);

        // Another domain claiming the same actor does not get it under its name.
        await setFetchedAt(found!.id, 0);
        const claimed = await dev.resolveHandle(`${name}@${evil}`);
        assert.equal(claimed?.id, found!.id);
        assert.equal(claimed?.domain, alias, "the domain stays the confirmed one");
        assert.equal(await t.container.db.repos.accounts.findRemote(name, evil), null);

        // A new actor whose canonical domain does not point back keeps its own host.
        const other = newActor("yan");
        peer.jrds.set(`acct:${other.name}@${peer.host}`, self(`acct:${other.name}@${evil}`, other.uri));
        handles.jrds.set(`acct:${other.name}@${evil}`, { subject: `acct:${other.name}@${evil}`, links: [] });
        const own = await dev.resolveActor(other.uri);
        assert.equal(own?.domain, peer.host);
        assert.equal(handles.hits(`webfinger:acct:${other.name}@${evil}`), 1, "the claimed domain was asked");
      } finally {
        http.close();
        await handles.close();
      }
    });

    it("keeps the Follow activity's id with follows and requests", async () => {
      const { name } = newActor("fol");
      const remote = await actors.resolveHandle(`${name}@${peer.host}`);
      assert.ok(remote);
      const local = BigInt((await t.user(uniqueName("fl"))).accountId);
      const followUri = `${peer.base}/follows/${name}`;
      await t.container.db.transaction(async (tx) => {
        await tx.relationships.requestFollow({ id: await tx.nextId(), accountId: remote.id, targetAccountId: local, showReblogs: true, notify: false, languages: null, now: Date.now(), uri: followUri });
      });
      assert.deepEqual(await t.container.db.repos.relationships.findFollowByUri(followUri), { accountId: remote.id, targetAccountId: local, request: true });
      const request = await t.container.db.repos.relationships.findFollowRequest(remote.id, local);
      assert.equal(request?.uri, followUri);
      await t.container.db.transaction(async (tx) => {
        await tx.relationships.deleteFollowRequest(remote.id, local);
        await tx.relationships.follow({ id: await tx.nextId(), accountId: remote.id, targetAccountId: local, now: Date.now(), ...request! });
      });
      assert.deepEqual(await t.container.db.repos.relationships.findFollowByUri(followUri), { accountId: remote.id, targetAccountId: local, request: false });
      assert.equal((await t.container.db.repos.relationships.findFollow(remote.id, local))?.uri, followUri);
      assert.equal(await t.container.db.repos.relationships.findFollowByUri(`${followUri}/other`), null);
    });
  });
}
