import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RemoteResolver } from "../../src/ports/remote-resolver.ts";
import { search, type SearchDeps, type SearchInput } from "../../src/services/search/search.ts";
import { expectStatus, insertFollow } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { assertEntity } from "../support/openapi.ts";
import { remoteActorsFor, startRemotePeer, type RemotePeer } from "../support/remote-peer.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const input = (q: string, more: Partial<SearchInput> = {}): SearchInput => ({
  q, resolve: true, following: false, excludeUnreviewed: false, limit: 20, offset: 0, ...more,
});

for (const variant of appVariants) {
  describe(`search with resolve=true (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    let peer: RemotePeer;
    let deps: SearchDeps;
    let viewer: { accountId: string; token: string };
    before(async () => {
      t = await startTestApp(variant.name, { ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" });
      peer = await startRemotePeer();
      const c = t.container;
      const resolver: RemoteResolver = remoteActorsFor(t);
      deps = { db: c.db, clock: c.clock, search: c.search, localDomain: c.config.localDomain, baseUrl: c.config.baseUrl, resolver };
      viewer = await t.user(uniqueName("searcher"));
    });
    after(async () => {
      await peer?.close();
      await t?.close();
    });

    const newActor = (prefix: string) => {
      const name = uniqueName(prefix).replace(/[^a-z0-9_]/gi, "_");
      peer.actors.set(name, peer.person(name));
      return { name, uri: `${peer.base}/users/${name}` };
    };

    it("resolves @user@host on another server into the accounts, rendered as an Account", async () => {
      const { name, uri } = newActor("ria");
      const results = await search(deps, BigInt(viewer.accountId), input(`@${name}@${peer.host}`));
      assert.equal(results.accounts.length, 1);
      const found = results.accounts[0];
      assert.equal(found.uri, uri);
      assert.equal(found.domain, peer.host);
      assert.equal(peer.hits(`/users/${name}`), 1);

      const res = expectStatus(await t.request("GET", `/api/v1/accounts/${found.id}`, { token: viewer.token }), 200);
      assertEntity("Account", res.body);
      assert.equal(res.body.acct, `${name}@${peer.host}`);
      assert.equal(res.body.uri, uri);
      assert.equal(res.body.url, `${peer.base}/@${name}`);
      assert.doesNotMatch(res.body.note, /<script|onerror|onclick/);
      assert.equal(res.body.locked, true);

      // Without @, and again: answered from the stored account.
      const again = await search(deps, BigInt(viewer.accountId), input(`${name}@${peer.host}`, { type: "accounts" }));
      assert.deepEqual(again.accounts.map((a) => a.id), [found.id]);
      assert.equal(peer.hits(`/users/${name}`), 1);
    });

    it("resolves an actor URL on another server", async () => {
      const { name, uri } = newActor("url");
      const results = await search(deps, BigInt(viewer.accountId), input(uri));
      assert.deepEqual(results.accounts.map((a) => a.uri), [uri]);
      assert.equal(results.statuses.length, 0);
      assert.equal(peer.hits(`/users/${name}`), 1);
      const none = await search(deps, BigInt(viewer.accountId), input(`${peer.base}/users/nobody-here`));
      assert.deepEqual(none, { accounts: [], hashtags: [], statuses: [] });
    });

    it("fetches nothing without resolve, for anonymous searchers, or without a resolver; stored accounts are still found", async () => {
      const { name } = newActor("quiet");
      const q = `@${name}@${peer.host}`;
      assert.equal((await search(deps, BigInt(viewer.accountId), input(q, { resolve: false }))).accounts.length, 0);
      assert.equal((await search(deps, null, input(q))).accounts.length, 0);
      assert.equal((await search({ ...deps, resolver: undefined }, BigInt(viewer.accountId), input(q))).accounts.length, 0);
      assert.equal(peer.hits(`/users/${name}`), 0);
      assert.equal(peer.hits(`webfinger:acct:${name}@${peer.host}`), 0);

      const stored = (await search(deps, BigInt(viewer.accountId), input(q))).accounts[0];
      assert.ok(stored);
      const res = expectStatus(await t.request("GET", `/api/v2/search?q=${encodeURIComponent(q)}`, { token: viewer.token }), 200);
      assertEntity("Search", res.body);
      assert.deepEqual(res.body.accounts.map((a: { id: string }) => a.id), [String(stored.id)], "a stored remote account matches its address");
      const anonymous = expectStatus(await t.request("GET", `/api/v2/search?q=${encodeURIComponent(q)}`), 200);
      assert.deepEqual(anonymous.body.accounts.map((a: { id: string }) => a.id), [String(stored.id)]);
    });

    it("leaves out a resolved account the searcher does not follow when asked for followed accounts only", async () => {
      const { name } = newActor("fw");
      const q = `${name}@${peer.host}`;
      assert.equal((await search(deps, BigInt(viewer.accountId), input(q, { following: true }))).accounts.length, 0);
      const account = (await search(deps, BigInt(viewer.accountId), input(q))).accounts[0];
      assert.ok(account);
      await insertFollow(t, viewer.accountId, String(account.id));
      assert.deepEqual((await search(deps, BigInt(viewer.accountId), input(q, { following: true }))).accounts.map((a) => a.id), [account.id]);
    });

    it(
      "resolves through GET /api/v2/search?resolve=true",
      async () => {
        const { name, uri } = newActor("http");
        const res = expectStatus(
          await t.request("GET", `/api/v2/search?q=${encodeURIComponent(`@${name}@${peer.host}`)}&resolve=true`, { token: viewer.token }),
          200,
        );
        assertEntity("Search", res.body);
        assert.equal(res.body.accounts.length, 1);
        assertEntity("Account", res.body.accounts[0]);
        assert.equal(res.body.accounts[0].uri, uri);
      },
    );
  });
}
