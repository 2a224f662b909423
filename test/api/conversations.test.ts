import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, pageLinks, suspend, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };
type Conversation = { id: string; unread: boolean; accounts: { id: string }[]; last_status: { id: string } | null };

for (const v of appVariants) {
  describe(`conversations (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, json: Record<string, unknown>): Promise<string> =>
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body.id;
    const conversations = async (as: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/conversations${query}`, { token: as.token }), 200);
      assertEntities("Conversation", res.body);
      assertResponse("GET", "/api/v1/conversations", 200, res.body);
      return { headers: res.headers, body: res.body as Conversation[] };
    };
    const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();

    it("keeps one conversation per participant, unread for recipients, following the thread", async () => {
      const [alice, bob, carol] = await users(t, ["dm_alice", "dm_bob", "dm_carol"]);
      const first = await post(alice, { status: "@dm_bob @dm_carol a secret", visibility: "direct" });
      await t.drain();

      const [mine] = (await conversations(alice)).body;
      assert.equal(mine.unread, false, "the author has read their own message");
      assert.deepEqual(ids(mine.accounts), [bob.accountId, carol.accountId].sort());
      assert.equal(mine.last_status!.id, first);
      const [bobs] = (await conversations(bob)).body;
      assert.equal(bobs.unread, true);
      assert.deepEqual(ids(bobs.accounts), [alice.accountId, carol.accountId].sort());
      assert.equal(bobs.last_status!.id, first);

      const reply = await post(bob, { status: "@dm_alice @dm_carol got it", visibility: "direct", in_reply_to_id: first });
      await t.drain();
      const after = (await conversations(alice)).body;
      assert.equal(after.length, 1, "a reply in the thread with the same people stays in the conversation");
      assert.equal(after[0].id, mine.id);
      assert.equal(after[0].last_status!.id, reply);
      assert.equal(after[0].unread, true);
      assert.equal((await conversations(bob)).body[0].unread, false, "the replier has read it");

      const read = expectStatus(await t.request("POST", `/api/v1/conversations/${mine.id}/read`, { token: alice.token }), 200);
      assertEntity("Conversation", read.body);
      assertResponse("POST", "/api/v1/conversations/{id}/read", 200, read.body);
      assert.equal(read.body.unread, false);
      expectStatus(await t.request("POST", `/api/v1/conversations/${mine.id}/read`, { token: bob.token }), 404, "Record not found");

      // Deleting the last status makes the one before it the last; deleting every one removes the conversation.
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${reply}`, { token: bob.token }), 200);
      await t.drain();
      assert.equal((await conversations(alice)).body[0].last_status!.id, first);
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${first}`, { token: alice.token }), 200);
      await t.drain();
      assert.deepEqual((await conversations(carol)).body, []);

      // A direct status mentioning nobody is a conversation with oneself, which lists oneself.
      const alone = await post(carol, { status: "a note to self", visibility: "direct" });
      await t.drain();
      const [self] = (await conversations(carol)).body;
      assert.equal(self.last_status!.id, alone);
      assert.deepEqual(ids(self.accounts), [carol.accountId]);

      // A public status is no conversation.
      await post(alice, { status: "@dm_bob in public" });
      await t.drain();
      assert.deepEqual((await conversations(bob)).body, []);
    });

    it("pages by last status with Link headers, and removes conversations", async () => {
      const [writer, reader] = await users(t, ["cp_writer", "cp_reader"]);
      const lasts: string[] = [];
      for (let i = 0; i < 3; i++) lasts.push(await post(writer, { status: `@cp_reader number ${i}`, visibility: "direct" }));
      await t.drain();
      const page = await conversations(reader, "?limit=2");
      assert.deepEqual(page.body.map((c) => c.last_status!.id), [lasts[2], lasts[1]]);
      const links = pageLinks(page.headers.get("link"))!;
      assert.equal(links.next!.searchParams.get("max_id"), lasts[1], "pages by the last status id");
      assert.equal(links.prev!.searchParams.get("min_id"), lasts[2]);
      assert.deepEqual((await conversations(reader, `?max_id=${lasts[1]}`)).body.map((c) => c.last_status!.id), [lasts[0]]);
      assert.deepEqual((await conversations(reader, `?min_id=${lasts[0]}&limit=1`)).body.map((c) => c.last_status!.id), [lasts[1]]);

      const gone = page.body[0].id;
      expectStatus(await t.request("DELETE", `/api/v1/conversations/${gone}`, { token: writer.token }), 404);
      const deleted = expectStatus(await t.request("DELETE", `/api/v1/conversations/${gone}`, { token: reader.token }), 200);
      assert.deepEqual(deleted.body, {});
      assert.ok(!(await conversations(reader)).body.some((c) => c.id === gone));
      assert.equal((await conversations(writer)).body.length, 3, "the other side keeps theirs");

      const readOnly = await t.user("cp_readonly", { scopes: "read:statuses" });
      expectStatus(await t.request("GET", "/api/v1/conversations", { token: readOnly.token }), 200);
      expectStatus(await t.request("DELETE", `/api/v1/conversations/${page.body[1].id}`, { token: readOnly.token }), 403);
      expectStatus(await t.request("GET", "/api/v1/conversations"), 401);
    });

    it("shows no last status its reader may not see: the author blocking them, or suspended", async () => {
      const [author, blocked, other] = await users(t, ["cv_author", "cv_blocked", "cv_other"]);
      const dm = await post(author, { status: "@cv_blocked @cv_other between us", visibility: "direct" });
      await t.drain();
      assert.equal((await conversations(blocked)).body[0].last_status!.id, dm);

      expectStatus(await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: author.token }), 200);
      const [hidden] = (await conversations(blocked)).body;
      assert.equal(hidden.last_status, null, "the author blocks the reader");
      assert.equal((await conversations(other)).body[0].last_status!.id, dm, "others still see it");

      await suspend(t, author.accountId);
      assert.equal((await conversations(other)).body[0].last_status, null, "the author is suspended");
      const read = expectStatus(await t.request("POST", `/api/v1/conversations/${hidden.id}/read`, { token: blocked.token }), 200);
      assert.equal(read.body.last_status, null);
    });
  });
}
