import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import type { ViewerStanding } from "../../src/ports/repositories/timelines.ts";
import { databaseEngines, type TestDatabase } from "../support/backends.ts";

/*
 * The two reads every page of a feed makes, statuses by id and TimelinesRepository.viewerStanding (each branch),
 * alone and many at once: on PostgreSQL concurrent calls share one statement (read-coalescer.ts,
 * viewer-standing-batch.ts), so each answer must be its own.
 */
for (const engine of databaseEngines) {
  describe(`page reads (${engine.name})`, { skip: engine.skip }, () => {
    let test: TestDatabase;
    let db: KyselyDatabase;
    const now = 1_000_000;
    // Viewers v0..v2 and authors: followed, blocked, blocker, muted, expired mute, suspended, on a blocked domain, plain.
    const ids: Record<string, bigint> = {};
    const statuses: Record<string, bigint> = {};
    before(async () => {
      test = await engine.open();
      db = test.db;
      const names = ["v0", "v1", "v2", "followed", "blocked", "blocker", "muted", "expired", "suspended", "faraway", "plain"];
      for (const name of names) {
        const id = await db.nextId();
        await db.kysely
          .insertInto("accounts")
          .values({
            id, username: name, username_lower: name, domain: name === "faraway" ? "Far.Example" : null, display_name: "", note: "", locked: false, bot: false,
            created_at: 0, updated_at: 0, suspended_at: name === "suspended" ? 1 : null,
          })
          .execute();
        ids[name] = id;
      }
      const row = async (table: "follows" | "blocks" | "mutes", from: string, to: string, extra: Record<string, unknown> = {}) =>
        db.kysely.insertInto(table).values({ id: await db.nextId(), account_id: ids[from], target_account_id: ids[to], created_at: 0, ...extra } as never).execute();
      await row("follows", "v0", "followed");
      await row("follows", "v1", "plain");
      await row("blocks", "v0", "blocked");
      await row("blocks", "blocker", "v0");
      await row("mutes", "v0", "muted", { expires_at: null });
      await row("mutes", "v0", "expired", { expires_at: now - 1 });
      await row("mutes", "v1", "followed", { expires_at: now + 1_000 });
      await db.kysely.insertInto("account_domain_blocks").values({ id: await db.nextId(), account_id: ids.v0, domain: "far.example", created_at: 0 }).execute();
      for (const name of ["followed", "plain", "boosted"]) {
        const id = await db.nextId();
        await db.repos.statuses.create({
          id, accountId: ids[name === "boosted" ? "plain" : name], text: "t", spoilerText: "", visibility: "public", sensitive: false, language: null,
          inReplyToId: null, inReplyToAccountId: null, applicationId: null, reblogOfId: null, conversationId: id, now: 0,
        });
        statuses[name] = id;
      }
      const boost = await db.nextId();
      await db.repos.statuses.create({
        id: boost, accountId: ids.v2, text: "", spoilerText: "", visibility: "public", sensitive: false, language: null,
        inReplyToId: null, inReplyToAccountId: null, applicationId: null, reblogOfId: statuses.boosted, conversationId: null, now: 0,
      });
      const mark = async (table: "favourites" | "bookmarks" | "status_pins", who: string, status: string) =>
        db.kysely.insertInto(table).values({ id: await db.nextId(), account_id: ids[who], status_id: statuses[status], created_at: 0 }).execute();
      await mark("favourites", "v0", "followed");
      await mark("bookmarks", "v1", "plain");
      await mark("status_pins", "v2", "boosted");
      await db.kysely.insertInto("conversation_mutes").values({ id: await db.nextId(), account_id: ids.v1, conversation_id: statuses.followed, created_at: 0 }).execute();
    });
    after(() => test?.close());

    const authors = () => ["followed", "blocked", "blocker", "muted", "expired", "suspended", "faraway", "plain"].map((n) => ids[n]);
    const wanted = () => ({ statusIds: Object.values(statuses), conversationIds: [statuses.followed, statuses.plain] });
    const ask = (viewer: string, withState = true) => db.repos.timelines.viewerStanding(ids[viewer], authors(), now, withState ? wanted() : undefined);
    const named = (set: ReadonlySet<bigint>, from: Record<string, bigint>) =>
      Object.entries(from).filter(([, id]) => set.has(id)).map(([n]) => n).sort();

    const expected: Record<string, (s: ViewerStanding) => void> = {
      v0: (s) => {
        assert.deepEqual(named(s.hidden, ids), ["blocked", "blocker", "faraway", "muted", "suspended"], "an expired mute hides nothing");
        assert.deepEqual(named(s.following, ids), ["followed"]);
        assert.deepEqual(named(s.state!.favourited, statuses), ["followed"]);
        assert.deepEqual(named(s.state!.bookmarked, statuses), []);
      },
      v1: (s) => {
        assert.deepEqual(named(s.hidden, ids), ["followed", "suspended"], "a mute not yet expired hides");
        assert.deepEqual(named(s.following, ids), ["plain"]);
        assert.deepEqual(named(s.state!.bookmarked, statuses), ["plain"]);
        assert.deepEqual(named(s.state!.mutedConversations, statuses), ["followed"]);
        assert.deepEqual(named(s.state!.favourited, statuses), []);
      },
      v2: (s) => {
        assert.deepEqual(named(s.hidden, ids), ["suspended"]);
        assert.deepEqual(named(s.following, ids), []);
        assert.deepEqual(named(s.state!.reblogged, statuses), ["boosted"]);
        assert.deepEqual(named(s.state!.pinned, statuses), ["boosted"]);
      },
    };

    it("answers each branch for one viewer at a time", async () => {
      for (const viewer of ["v0", "v1", "v2"]) expected[viewer](await ask(viewer));
      const bare = await ask("v0", false);
      assert.equal(bare.state, undefined, "no state asked, none given");
      assert.deepEqual(named(bare.hidden, ids), ["blocked", "blocker", "faraway", "muted", "suspended"]);
      const none = await db.repos.timelines.viewerStanding(ids.v0, [], now, { statusIds: [], conversationIds: [] });
      assert.equal(none.hidden.size + none.following.size + none.state!.favourited.size, 0);
    });

    it("gives each of many concurrent viewers its own answer", async () => {
      const viewers = Array.from({ length: 30 }, (_, i) => ["v0", "v1", "v2"][i % 3]);
      const answers = await Promise.all(viewers.map((v, i) => (i % 5 === 4 ? ask(v, false) : ask(v))));
      answers.forEach((answer, i) => {
        if (i % 5 === 4) assert.equal(answer.state, undefined);
        else expected[viewers[i]](answer);
      });
    });

    it("gives each of many concurrent reads of statuses by id its own rows, without deleted ones", async () => {
      const [followed, plain, boosted] = [statuses.followed, statuses.plain, statuses.boosted];
      const deleted = await db.nextId();
      await db.repos.statuses.create({
        id: deleted, accountId: ids.plain, text: "gone", spoilerText: "", visibility: "public", sensitive: false, language: null,
        inReplyToId: null, inReplyToAccountId: null, applicationId: null, reblogOfId: null, conversationId: deleted, now: 0,
      });
      assert.ok(await db.repos.statuses.softDelete(deleted, 1));
      const asks = Array.from({ length: 24 }, (_, i) => [[followed], [plain, boosted], [boosted, deleted, followed], [deleted]][i % 4]);
      const answers = await Promise.all(asks.map((list) => db.repos.statuses.findByIds(list)));
      answers.forEach((rows, i) => {
        const want = asks[i].filter((id) => id !== deleted).sort();
        assert.deepEqual(rows.map((r) => r.id).sort(), want, `read ${i}`);
        for (const r of rows) assert.equal(r.text, "t");
      });
    });
  });
}
