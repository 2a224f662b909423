import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { forgetAccounts } from "../../src/services/accounts/account-cache.ts";
import { moveAccount, setAccountAlias } from "../../src/services/accounts/migration.ts";
import { expectStatus, remoteAccount, remoteStatus, suspend, unconfirmedAccount } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };
type Json = Record<string, any>;

for (const v of appVariants) {
  describe(`accounts that moved: the Account entity's moved (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let alice: User;
    let alice2: User;
    let bob: User;
    let alicePost: string;
    let bobPost: string;
    before(async () => {
      t = await startTestApp(v.name);
      alice = await t.user("alice");
      alice2 = await t.user("alice2");
      bob = await t.user("bob");
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: alice2.token, json: { display_name: "Alice, new home" } });
      alicePost = expectStatus(await t.request("POST", "/api/v1/statuses", { token: alice.token, json: { status: "moving soon" } }), 200).body.id;
      bobPost = expectStatus(await t.request("POST", "/api/v1/statuses", { token: bob.token, json: { status: "hello" } }), 200).body.id;
      expectStatus(await t.request("POST", `/api/v1/statuses/${bobPost}/favourite`, { token: alice.token }), 200);
      // As `herd admin accounts move` does: the target names the old account as an alias, then the old one moves.
      const repos = t.container.db.repos.accounts;
      const old = await repos.findById(BigInt(alice.accountId));
      assert.ok(old);
      assert.ok((await setAccountAlias(t.container.jobDeps, BigInt(alice2.accountId), old, true)).ok);
      const target = await repos.findById(BigInt(alice2.accountId));
      assert.ok(target);
      const moved = await moveAccount(t.container.jobDeps, old.id, target);
      assert.ok(moved.ok, JSON.stringify(moved));
      await t.drain();
    });
    after(() => t?.close());

    /** Points a (remote-looking) account at another, as a stored actor's movedTo or a received Move leave it. */
    const setMovedTo = async (accountId: string, targetId: string) => {
      await t.container.db.kysely.updateTable("accounts").set({ moved_to_account_id: BigInt(targetId) }).where("id", "=", BigInt(accountId)).execute();
      await forgetAccounts(t.container.cache, [BigInt(accountId)]);
    };
    const account = async (id: string): Promise<Json> => {
      const res = expectStatus(await t.request("GET", `/api/v1/accounts/${id}`), 200);
      assertEntity("Account", res.body);
      assertResponse("GET", `/api/v1/accounts/${id}`, 200, res.body);
      return res.body;
    };
    const publicTimeline = async (): Promise<Json[]> => {
      const res = expectStatus(await t.request("GET", "/api/v1/timelines/public?limit=40"), 200);
      assertEntities("Status", res.body);
      assertResponse("GET", "/api/v1/timelines/public", 200, res.body);
      return res.body;
    };

    it("renders a local account moved with the migration service with `moved`: show, lookup, several, verify_credentials", async () => {
      const shown = await account(alice.accountId);
      assert.equal(shown.moved?.id, alice2.accountId);
      assert.equal(shown.moved.acct, "alice2");
      assert.equal(shown.moved.display_name, "Alice, new home");
      assertEntity("Account", shown.moved);

      const lookup = expectStatus(await t.request("GET", "/api/v1/accounts/lookup?acct=alice"), 200);
      assertEntity("Account", lookup.body);
      assertResponse("GET", "/api/v1/accounts/lookup", 200, lookup.body);
      assert.deepEqual(lookup.body.moved, shown.moved);

      const several = expectStatus(await t.request("GET", `/api/v1/accounts?id[]=${alice.accountId}&id[]=${bob.accountId}`), 200);
      assertResponse("GET", "/api/v1/accounts", 200, several.body);
      assert.equal(several.body[0].moved?.id, alice2.accountId);
      assert.equal("moved" in several.body[1], false, "an account that did not move has no `moved`, as Mastodon omits it");

      const me = expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: alice.token }), 200);
      assertEntity("CredentialAccount", me.body);
      assert.equal(me.body.moved?.id, alice2.accountId);
      assert.equal("moved" in (await account(alice2.accountId)), false);
    });

    it("renders `moved` on the account of the moved account's statuses and notifications", async () => {
      const status = (await publicTimeline()).find((s) => s.id === alicePost);
      assert.ok(status, "alice's status is in the public timeline");
      assert.equal(status.account.moved?.id, alice2.accountId);
      assert.equal(status.account.moved.acct, "alice2");
      const bobs = (await publicTimeline()).find((s) => s.id === bobPost);
      assert.equal("moved" in bobs!.account, false);
      // The moved-to account's own changes show in `moved` of status pages rendered before.
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: alice2.token, json: { display_name: "Alice, settled" } }), 200);
      const renamed = (await publicTimeline()).find((s) => s.id === alicePost);
      assert.equal(renamed?.account.moved?.display_name, "Alice, settled");

      const one = expectStatus(await t.request("GET", `/api/v1/statuses/${alicePost}`), 200);
      assertEntity("Status", one.body);
      assert.equal(one.body.account.moved?.id, alice2.accountId);

      const notifications = expectStatus(await t.request("GET", "/api/v1/notifications", { token: bob.token }), 200);
      assertResponse("GET", "/api/v1/notifications", 200, notifications.body);
      const favourite = notifications.body.find((n: Json) => n.type === "favourite");
      assert.equal(favourite?.account.id, alice.accountId);
      assert.equal(favourite.account.moved?.id, alice2.accountId);

      const grouped = expectStatus(await t.request("GET", "/api/v2/notifications", { token: bob.token }), 200);
      assertResponse("GET", "/api/v2/notifications", 200, grouped.body);
      assert.equal(grouped.body.accounts.find((a: Json) => a.id === alice.accountId)?.moved?.id, alice2.accountId);
    });

    it("renders a remote account's movedTo, one level deep, in its profile and its statuses", async () => {
      const oldId = await remoteAccount(t, "wanderer", "old.example");
      const newId = await remoteAccount(t, "wanderer", "new.example");
      const newestId = await remoteAccount(t, "wanderer", "newest.example");
      await setMovedTo(oldId, newId);
      await setMovedTo(newId, newestId);
      const postId = await remoteStatus(t, oldId, "<p>I moved</p>", "https://old.example/s/1", "https://old.example/@wanderer/1");

      const shown = await account(oldId);
      assert.equal(shown.moved?.id, newId);
      assert.equal(shown.moved.acct, "wanderer@new.example");
      assert.equal("moved" in shown.moved, false, "the moved-to account's own move is not nested");
      assert.equal((await account(newId)).moved?.id, newestId, "it shows on that account's own rendering");

      const status = (await publicTimeline()).find((s) => s.id === String(postId));
      assert.ok(status);
      assert.equal(status.account.moved?.id, newId);
      assert.equal(status.account.moved.acct, "wanderer@new.example");
      assert.equal("moved" in status.account.moved, false);
    });

    it("shows no `moved` when the account it moved to is suspended or gone", async () => {
      const goneId = await remoteAccount(t, "leaver", "old.example");
      const bannedId = await remoteAccount(t, "banned", "new.example");
      await suspend(t, bannedId);
      await setMovedTo(goneId, bannedId);
      assert.equal("moved" in (await account(goneId)), false);

      // Suspending the target later takes `moved` off at once, also from status pages rendered before.
      const before = (await publicTimeline()).find((s) => s.id === alicePost);
      assert.equal(before?.account.moved?.id, alice2.accountId);
      await suspend(t, alice2.accountId);
      assert.equal("moved" in (await account(alice.accountId)), false);
      const status = (await publicTimeline()).find((s) => s.id === alicePost);
      assert.ok(status);
      assert.equal("moved" in status.account, false);
      const me = expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: alice.token }), 200);
      assert.equal("moved" in me.body, false);

      // A target that no longer exists (the column has no foreign key) is no `moved` either.
      const strayId = await remoteAccount(t, "stray", "old.example");
      await setMovedTo(strayId, String(BigInt(strayId) + 1_000_000n));
      assert.equal("moved" in (await account(strayId)), false);

      // Nor one that does not exist to others yet (a local account whose owner has not confirmed their address).
      const hidden = await unconfirmedAccount(t, "not_yet");
      const earlyId = await remoteAccount(t, "early", "old.example");
      await setMovedTo(earlyId, hidden);
      assert.equal("moved" in (await account(earlyId)), false);
    });
  });
}
