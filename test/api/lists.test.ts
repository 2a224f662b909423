import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, pageLinks, relative, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`lists (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, json: Record<string, unknown>): Promise<string> =>
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body.id;
    const follow = async (who: User, whom: User) =>
      expectStatus(await t.request("POST", `/api/v1/accounts/${whom.accountId}/follow`, { token: who.token, json: {} }), 200);
    const create = async (as: User, json: Record<string, unknown>) => {
      const res = expectStatus(await t.request("POST", "/api/v1/lists", { token: as.token, json }), 200);
      assertEntity("List", res.body);
      assertResponse("POST", "/api/v1/lists", 200, res.body);
      return res.body as { id: string; title: string; replies_policy: string; exclusive: boolean };
    };
    const timeline = async (as: User, listId: string, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/timelines/list/${listId}${query}`, { token: as.token }), 200);
      assertEntities("Status", res.body);
      assertResponse("GET", "/api/v1/timelines/list/{list_id}", 200, res.body);
      return res.body.map((s: { id: string }) => s.id) as string[];
    };
    const members = async (as: User, listId: string, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/lists/${listId}/accounts${query}`, { token: as.token }), 200);
      assertEntities("Account", res.body);
      assertResponse("GET", "/api/v1/lists/{id}/accounts", 200, res.body);
      return res;
    };
    const addMembers = (as: User, listId: string, ids: string[]) =>
      t.request("POST", `/api/v1/lists/${listId}/accounts`, { token: as.token, form: { "account_ids[]": ids } });

    it("creates, shows, renames and deletes lists, with Mastodon's defaults and errors", async () => {
      const [owner, other] = await users(t, ["ls_owner", "ls_other"]);
      const list = await create(owner, { title: "Friends" });
      assert.deepEqual({ ...list, id: undefined }, { id: undefined, title: "Friends", replies_policy: "list", exclusive: false });
      const second = await create(owner, { title: "Work", replies_policy: "followed", exclusive: true });
      assert.equal(second.replies_policy, "followed");
      assert.equal(second.exclusive, true);
      expectStatus(await t.request("POST", "/api/v1/lists", { token: owner.token, json: { title: "  " } }), 422, "Validation failed: Title can't be blank");
      expectStatus(await t.request("POST", "/api/v1/lists", { token: owner.token, json: { title: "x", replies_policy: "all" } }), 422, /Replies policy/);

      const all = expectStatus(await t.request("GET", "/api/v1/lists", { token: owner.token }), 200);
      assertEntities("List", all.body);
      assertResponse("GET", "/api/v1/lists", 200, all.body);
      assert.deepEqual(all.body.map((l: { id: string }) => l.id), [list.id, second.id]);
      assert.deepEqual((await t.request("GET", "/api/v1/lists", { token: other.token })).body, []);

      const shown = expectStatus(await t.request("GET", `/api/v1/lists/${list.id}`, { token: owner.token }), 200);
      assertEntity("List", shown.body);
      assertResponse("GET", "/api/v1/lists/{id}", 200, shown.body);
      expectStatus(await t.request("GET", `/api/v1/lists/${list.id}`, { token: other.token }), 404, "Record not found");

      const renamed = expectStatus(await t.request("PUT", `/api/v1/lists/${list.id}`, { token: owner.token, form: { title: "Pals", replies_policy: "none", exclusive: "true" } }), 200);
      assertEntity("List", renamed.body);
      assertResponse("PUT", "/api/v1/lists/{id}", 200, renamed.body);
      assert.deepEqual(renamed.body, { id: list.id, title: "Pals", replies_policy: "none", exclusive: true });
      expectStatus(await t.request("PUT", `/api/v1/lists/${list.id}`, { token: owner.token, json: { title: "" } }), 422, "Validation failed: Title can't be blank");
      expectStatus(await t.request("PUT", `/api/v1/lists/${list.id}`, { token: other.token, json: { title: "mine" } }), 404);

      expectStatus(await t.request("DELETE", `/api/v1/lists/${list.id}`, { token: other.token }), 404);
      const deleted = expectStatus(await t.request("DELETE", `/api/v1/lists/${list.id}`, { token: owner.token }), 200);
      assert.deepEqual(deleted.body, {});
      expectStatus(await t.request("GET", `/api/v1/lists/${list.id}`, { token: owner.token }), 404);

      const readOnly = await t.user("ls_readonly", { scopes: "read:lists" });
      expectStatus(await t.request("GET", "/api/v1/lists", { token: readOnly.token }), 200);
      expectStatus(await t.request("POST", "/api/v1/lists", { token: readOnly.token, json: { title: "no" } }), 403);
      expectStatus(await t.request("GET", "/api/v1/lists"), 401);
    });

    it("adds and removes followed accounts, lists them, and tells which lists hold an account", async () => {
      const [owner, a, b, c, stranger] = await users(t, ["lm_owner", "lm_a", "lm_b", "lm_c", "lm_stranger"]);
      for (const x of [a, b, c]) await follow(owner, x);
      const list = await create(owner, { title: "Members" });
      expectStatus(await addMembers(owner, list.id, [a.accountId, b.accountId]), 200);
      expectStatus(await addMembers(owner, list.id, [stranger.accountId]), 404, "Record not found");
      expectStatus(await addMembers(owner, list.id, [a.accountId]), 422, "Validation failed: Account has already been taken");
      expectStatus(await addMembers(stranger, list.id, [a.accountId]), 404);
      expectStatus(await addMembers(owner, list.id, [c.accountId]), 200);

      const page = await members(owner, list.id, "?limit=2");
      assert.deepEqual(page.body.map((x: { id: string }) => x.id), [c.accountId, b.accountId], "newest member first");
      const next = pageLinks(page.headers.get("link"))!.next!;
      assert.deepEqual((await members(owner, list.id, relative(next).replace(`/api/v1/lists/${list.id}/accounts`, ""))).body.map((x: { id: string }) => x.id), [a.accountId]);
      const everyone = await members(owner, list.id, "?limit=0");
      assert.equal(everyone.body.length, 3);
      assert.equal(everyone.headers.get("link"), null, "limit=0 does not page");

      const holding = expectStatus(await t.request("GET", `/api/v1/accounts/${a.accountId}/lists`, { token: owner.token }), 200);
      assertEntities("List", holding.body);
      assertResponse("GET", "/api/v1/accounts/{id}/lists", 200, holding.body);
      assert.deepEqual(holding.body.map((l: { id: string }) => l.id), [list.id]);
      assert.deepEqual((await t.request("GET", `/api/v1/accounts/${a.accountId}/lists`, { token: stranger.token })).body, []);

      expectStatus(await t.request("DELETE", `/api/v1/lists/${list.id}/accounts`, { token: owner.token, json: { account_ids: [b.accountId] } }), 200);
      assert.deepEqual((await members(owner, list.id)).body.map((x: { id: string }) => x.id), [c.accountId, a.accountId]);

      // Unfollowing takes the account out of the owner's lists.
      expectStatus(await t.request("POST", `/api/v1/accounts/${c.accountId}/unfollow`, { token: owner.token }), 200);
      assert.deepEqual((await members(owner, list.id)).body.map((x: { id: string }) => x.id), [a.accountId]);
    });

    it("shows members' statuses in the list feed, by replies policy, rebuilt after a loss", async () => {
      const [owner, member, outsider, followedOutsider] = await users(t, ["lf_owner", "lf_member", "lf_outsider", "lf_followed"]);
      await follow(owner, member);
      await follow(owner, followedOutsider);
      const byList = await create(owner, { title: "replies to members" });
      const byFollowed = await create(owner, { title: "replies to followed", replies_policy: "followed" });
      const noReplies = await create(owner, { title: "no replies", replies_policy: "none" });
      const earlier = await post(member, { status: "before joining" });
      for (const l of [byList, byFollowed, noReplies]) expectStatus(await addMembers(owner, l.id, [member.accountId]), 200);
      await t.drain();
      for (const l of [byList, byFollowed, noReplies]) assert.deepEqual(await timeline(owner, l.id), [earlier], "adding a member brings in its statuses");

      const plain = await post(member, { status: "plain" });
      const toOutsider = await post(member, { status: "@lf_outsider hi", in_reply_to_id: await post(outsider, { status: "root" }) });
      const toFollowed = await post(member, { status: "@lf_followed hi", in_reply_to_id: await post(followedOutsider, { status: "root 2" }) });
      const toOwner = await post(member, { status: "@lf_owner hi", in_reply_to_id: await post(owner, { status: "root 3" }) });
      const direct = await post(member, { status: "@lf_owner secret", visibility: "direct" });
      await t.drain();
      const expected = new Map([
        [byList.id, [toOwner, plain, earlier]],
        [byFollowed.id, [toOwner, toFollowed, plain, earlier]],
        [noReplies.id, [toOwner, plain, earlier]],
      ]);
      for (const [id, ids] of expected) assert.deepEqual(await timeline(owner, id), ids, `list ${id}`);
      assert.ok(!(await timeline(owner, byList.id)).includes(direct) && !(await timeline(owner, byList.id)).includes(toOutsider));
      for (const id of expected.keys()) await t.container.feeds.drop(`list:${id}`);
      for (const [id, ids] of expected) assert.deepEqual(await timeline(owner, id), ids, `list ${id} rebuilt`);

      const page = await timeline(owner, byFollowed.id, "?limit=2");
      assert.deepEqual(page, [toOwner, toFollowed]);
      assert.deepEqual(await timeline(owner, byFollowed.id, `?max_id=${toFollowed}&limit=2`), [plain, earlier]);

      expectStatus(await t.request("DELETE", `/api/v1/lists/${byList.id}/accounts`, { token: owner.token, json: { account_ids: [member.accountId] } }), 200);
      assert.deepEqual(await timeline(owner, byList.id), [], "a removed member's statuses leave the feed");
      expectStatus(await t.request("GET", `/api/v1/timelines/list/${byList.id}`, { token: member.token }), 404);
    });
  });
}
