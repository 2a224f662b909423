import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, insertFollow, remoteAccount, suspend, unconfirmedAccount, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`directory and suggestions (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const discoverable = async (u: User) =>
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: u.token, json: { discoverable: true } }), 200);
    const directory = async (query: string, token?: string) => {
      const res = expectStatus(await t.request("GET", `/api/v1/directory${query}`, { token }), 200);
      assertEntities("Account", res.body);
      assertResponse("GET", "/api/v1/directory", 200, res.body);
      return (res.body as { id: string }[]).map((a) => a.id);
    };
    const db = () => t.container.db.kysely;

    it("lists discoverable accounts by activity or age, local ones on request, without hidden ones", async () => {
      const [old, fresh, quiet, hidden, blocker, viewer] = await users(t, ["dir_old", "dir_fresh", "dir_quiet", "dir_hidden", "dir_blocker", "dir_viewer"]);
      for (const u of [old, fresh, quiet, blocker]) await discoverable(u);
      const remote = await remoteAccount(t, "dir_remote", "remote.example");
      await db().updateTable("accounts").set({ discoverable: true, last_status_at: Date.now() - 1000 }).where("id", "=", BigInt(remote)).execute();
      const unconfirmed = await unconfirmedAccount(t, "dir_unconfirmed");
      await db().updateTable("accounts").set({ discoverable: true }).where("id", "=", BigInt(unconfirmed)).execute();
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: old.token, json: { status: "I am active" } }), 200);
      await db().updateTable("accounts").set({ last_status_at: Date.now() - 86_400_000 }).where("id", "=", BigInt(fresh.accountId)).execute();

      const active = await directory("?order=active");
      const mine = active.filter((id) => [old, fresh, quiet, blocker].some((u) => u.accountId === id) || id === remote);
      assert.deepEqual(mine.slice(0, 3), [old.accountId, remote, fresh.accountId], "most recently posting first; never-posted last");
      assert.ok(!active.includes(hidden.accountId), "not discoverable");
      assert.ok(!active.includes(unconfirmed), "unconfirmed accounts are not shown");
      const local = await directory("?order=active&local=true");
      assert.ok(!local.includes(remote));
      assert.ok(local.includes(old.accountId));
      const newest = await directory("?order=new&local=true");
      assert.deepEqual(newest.filter((id) => [old.accountId, fresh.accountId, quiet.accountId].includes(id)), [quiet.accountId, fresh.accountId, old.accountId]);
      assert.deepEqual(await directory("?order=new&local=true&limit=1&offset=1"), [newest[1]]);

      expectStatus(await t.request("POST", `/api/v1/accounts/${viewer.accountId}/block`, { token: blocker.token }), 200);
      assert.ok(!(await directory("?local=true", viewer.token)).includes(blocker.accountId), "blocks hide both ways");
      assert.ok((await directory("?local=true")).includes(blocker.accountId));
      await suspend(t, quiet.accountId);
      assert.ok(!(await directory("?local=true")).includes(quiet.accountId));
    });

    it("suggests popular discoverable local accounts the viewer does not follow, and forgets dismissed ones", async () => {
      const [viewer, star, rising, followed, shy, muted] = await users(t, ["sug_viewer", "sug_star", "sug_rising", "sug_followed", "sug_shy", "sug_muted"]);
      for (const u of [star, rising, followed, muted]) await discoverable(u);
      const [f1, f2, f3] = await users(t, ["sug_f1", "sug_f2", "sug_f3"]);
      for (const f of [f1, f2, f3]) await insertFollow(t, f.accountId, star.accountId);
      await insertFollow(t, f1.accountId, rising.accountId);
      await insertFollow(t, viewer.accountId, followed.accountId);
      expectStatus(await t.request("POST", `/api/v1/accounts/${muted.accountId}/mute`, { token: viewer.token }), 200);

      const v2 = async () => {
        const res = expectStatus(await t.request("GET", "/api/v2/suggestions?limit=80", { token: viewer.token }), 200);
        assertEntities("Suggestion", res.body);
        assertResponse("GET", "/api/v2/suggestions", 200, res.body);
        for (const s of res.body) assertEntity("Account", s.account);
        return res.body as { account: { id: string }; sources: string[]; source: string }[];
      };
      const first = await v2();
      const ids = first.map((s) => s.account.id);
      assert.ok(ids.indexOf(star.accountId) >= 0 && ids.indexOf(star.accountId) < ids.indexOf(rising.accountId), "most followed first");
      for (const not of [viewer, followed, shy, muted]) assert.ok(!ids.includes(not.accountId), "self, followed, undiscoverable and muted are left out");
      assert.deepEqual(first[0].sources, ["most_followed"]);
      assert.equal(first[0].source, "global");

      const v1 = expectStatus(await t.request("GET", "/api/v1/suggestions", { token: viewer.token }), 200);
      assertEntities("Account", v1.body);
      assert.ok(v1.body.some((a: { id: string }) => a.id === star.accountId));

      expectStatus(await t.request("DELETE", `/api/v1/suggestions/${star.accountId}`, { token: viewer.token }), 200);
      expectStatus(await t.request("DELETE", `/api/v1/suggestions/${star.accountId}`, { token: viewer.token }), 200);
      assert.ok(!(await v2()).some((s) => s.account.id === star.accountId), "dismissed");
      const other = expectStatus(await t.request("GET", "/api/v2/suggestions", { token: f2.token }), 200);
      assert.ok(other.body.some((s: { account: { id: string } }) => s.account.id === rising.accountId), "dismissals are the viewer's own");
      expectStatus(await t.request("GET", "/api/v2/suggestions"), 401);
      const profileOnly = await t.user("sug_profile", { scopes: "profile" });
      expectStatus(await t.request("GET", "/api/v2/suggestions", { token: profileOnly.token }), 403);
    });
  });
}
