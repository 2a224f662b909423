import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import { databaseEngines, type TestDatabase } from "../support/backends.ts";

for (const engine of databaseEngines) {
  describe(`InteractionsRepository (${engine.name})`, { skip: engine.skip }, () => {
    let test: TestDatabase;
    let db: KyselyDatabase;
    const accounts: bigint[] = [];
    before(async () => {
      test = await engine.open();
      db = test.db;
      for (let i = 0; i < 8; i++) {
        const id = await db.nextId();
        await db.kysely
          .insertInto("accounts")
          .values({ id, username: `i${i}`, username_lower: `i${i}`, domain: i === 7 ? "remote.example" : null, display_name: "", note: "", locked: false, bot: false, created_at: 0, updated_at: 0 })
          .execute();
        accounts.push(id);
      }
    });
    after(() => test?.close());

    const status = async (accountId: bigint, extra: { inReplyToId?: bigint; reblogOfId?: bigint; conversationId?: bigint } = {}) => {
      const id = await db.nextId();
      await db.repos.statuses.create({
        id, accountId, text: "t", spoilerText: "", visibility: "public", sensitive: false, language: null,
        inReplyToId: extra.inReplyToId ?? null, inReplyToAccountId: null, applicationId: null,
        reblogOfId: extra.reblogOfId ?? null, conversationId: extra.conversationId ?? id, now: Date.now(),
      });
      return id;
    };
    const favourites = async (id: bigint) => (await db.repos.statuses.findById(id))!.favouritesCount;

    it("keeps favourites_count equal to the rows under concurrent favourites and unfavourites", async () => {
      const s = await status(accounts[0]);
      const ops: Promise<boolean>[] = [];
      for (let i = 0; i < 30; i++)
        for (const a of accounts.slice(1, 5))
          ops.push(db.transaction(async (tx) => (i % 3 === 2 ? tx.interactions.unfavourite(a, s) : tx.interactions.favourite(await tx.nextId(), a, s, Date.now()))));
      await Promise.all(ops);
      const rows = await db.kysely.selectFrom("favourites").select("id").where("status_id", "=", s).execute();
      assert.equal(await favourites(s), rows.length);
      assert.equal(await db.transaction((tx) => tx.interactions.unfavourite(accounts[6], s)), false);
    });

    it("stores a remote status with its author's count in one write, and nothing when its uri is taken", async () => {
      const author = accounts[7];
      const count = async () => (await db.repos.accounts.findById(author))!.statusesCount;
      const before = await count();
      const row = async (uri: string, now: number) => {
        const id = await db.nextId();
        return { id, accountId: author, text: "<p>t</p>", spoilerText: "", visibility: "public" as const, sensitive: false, language: null, inReplyToId: null, inReplyToAccountId: null, applicationId: null, conversationId: id, now, uri, url: uri };
      };
      const uri = `https://remote.example/s/${Date.now()}`;
      // Deliveries of one status at once: one is stored and counted.
      const results = await Promise.all(Array.from({ length: 6 }, async () => db.repos.statuses.createCountedWithUri(await row(uri, 5_000))));
      const stored = results.filter((r) => r !== null);
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.uri, uri);
      assert.equal(stored[0]!.text, "<p>t</p>");
      assert.deepEqual(await db.repos.statuses.findByUri(uri), stored[0]);
      assert.equal(await count(), before + 1);
      assert.equal((await db.repos.accounts.findById(author))!.lastStatusAt, 5_000);
      // In a transaction it is part of it: rolled back with it.
      const other = `${uri}/2`;
      await assert.rejects(db.transaction(async (tx) => {
        assert.notEqual(await tx.statuses.createCountedWithUri(await row(other, 6_000)), null);
        throw new Error("rolled back");
      }), /rolled back/);
      assert.equal(await db.repos.statuses.findByUri(other), null);
      assert.equal(await count(), before + 1);
      assert.notEqual(await db.transaction(async (tx) => tx.statuses.createCountedWithUri(await row(other, 7_000))), null);
      assert.equal(await count(), before + 2);
    });

    it("reads a fan-out's first followers and the lists holding the author in one query, as the two reads do", async () => {
      const [author, ...others] = accounts.slice(1);
      const now = Date.now();
      await db.transaction(async (tx) => {
        // Local followers (the remote one, accounts[7], is left out), with options that must come through.
        for (const [i, a] of others.entries())
          await tx.relationships.follow({ id: await tx.nextId(), accountId: a, targetAccountId: author, showReblogs: i % 2 === 0, notify: i === 1, languages: i === 2 ? ["de"] : null, now });
        for (const [i, owner] of others.slice(0, 2).entries()) {
          const listId = await tx.nextId();
          await tx.lists.create({ id: listId, accountId: owner, title: `l${i}`, repliesPolicy: i === 0 ? "list" : "none", exclusive: false, now });
          await tx.lists.addMembers(listId, [{ id: await tx.nextId(), accountId: author }]);
        }
      });
      for (const limit of [2, 100]) {
        const { followers, holdings } = await db.repos.timelines.firstAudience(author, limit);
        assert.deepEqual(followers, await db.repos.timelines.localFollowers(author, null, limit));
        assert.equal(followers.length, Math.min(limit, others.length - 1));
        const byList = (a: { listId: bigint }, b: { listId: bigint }) => (a.listId < b.listId ? -1 : 1);
        assert.deepEqual([...holdings].sort(byList), [...(await db.repos.lists.holdingsOf(author))].sort(byList));
        assert.equal(holdings.length, 2);
      }
      const nobody = await db.repos.timelines.firstAudience(others[0], 10);
      assert.deepEqual(nobody, { followers: [], holdings: [] });
    });

    it("answers the viewer's state for a page in one query", async () => {
      const [me, other] = accounts;
      const a = await status(other);
      const b = await status(other);
      const c = await status(me);
      await db.transaction(async (tx) => {
        await tx.interactions.favourite(await tx.nextId(), me, a, 1);
        await tx.interactions.bookmark(await tx.nextId(), me, b, 1);
        await tx.interactions.muteConversation(await tx.nextId(), me, b, 1);
        await tx.statuses.pin(await tx.nextId(), me, c, 1);
      });
      await status(me, { reblogOfId: b });
      const state = await db.repos.interactions.viewerState(me, [a, b, c], [a, b, c]);
      assert.deepEqual([...state.favourited], [a]);
      assert.deepEqual([...state.bookmarked], [b]);
      assert.deepEqual([...state.reblogged], [b]);
      assert.deepEqual([...state.pinned], [c]);
      assert.deepEqual([...state.mutedConversations], [b]);
      const none = await db.repos.interactions.viewerState(other, [a, b, c], []);
      assert.equal(none.favourited.size + none.bookmarked.size + none.reblogged.size + none.mutedConversations.size, 0);
    });

    it("allows one live boost per account and status", async () => {
      const [author, booster] = accounts.slice(2, 4);
      const s = await status(author);
      const first = await status(booster, { reblogOfId: s });
      await assert.rejects(status(booster, { reblogOfId: s }));
      assert.equal(await db.repos.interactions.findReblogId(booster, s), first);
      await db.repos.statuses.softDelete(first, Date.now());
      assert.equal(await db.repos.interactions.findReblogId(booster, s), null);
      const second = await status(booster, { reblogOfId: s });
      assert.deepEqual(await db.repos.interactions.reblogIdsOf(s), [{ id: second, accountId: booster }]);
    });

    it("collects the facts visibility needs about many authors", async () => {
      const [me, followed, blocked, blocker, muted] = accounts;
      const remote = accounts[7];
      await db.transaction(async (tx) => {
        await tx.relationships.follow({ id: await tx.nextId(), accountId: me, targetAccountId: followed, showReblogs: true, notify: false, languages: null, now: 1 });
        await tx.relationships.block(await tx.nextId(), me, blocked, 1);
        await tx.relationships.block(await tx.nextId(), blocker, me, 1);
        await tx.relationships.mute({ id: await tx.nextId(), accountId: me, targetAccountId: muted, hideNotifications: true, expiresAt: null, now: 1 });
        await tx.relationships.blockDomain(await tx.nextId(), me, "remote.example", 1);
      });
      const facts = await db.repos.interactions.authorFacts(me, [followed, blocked, blocker, muted, remote], ["Remote.Example", "other.example"], Date.now());
      assert.deepEqual([...facts.follows], [followed]);
      assert.deepEqual([...facts.blocks], [blocked]);
      assert.deepEqual([...facts.blockedBy], [blocker]);
      assert.deepEqual([...facts.mutes], [muted]);
      assert.deepEqual([...facts.blockedDomains], ["remote.example"]);
    });

    it("walks replies level by level and replaces mentions", async () => {
      const [a, b, c] = accounts;
      const root = await status(a);
      const r1 = await status(b, { inReplyToId: root });
      const r2 = await status(c, { inReplyToId: root });
      const r11 = await status(a, { inReplyToId: r1 });
      const gone = await status(a, { inReplyToId: r2 });
      await status(b, { inReplyToId: gone });
      await db.repos.statuses.softDelete(gone, Date.now());
      assert.deepEqual(await db.repos.interactions.descendantLinks(root, 100, 100), [
        { id: r1, inReplyToId: root }, { id: r2, inReplyToId: root }, { id: r11, inReplyToId: r1 },
      ]);
      assert.equal((await db.repos.interactions.descendantLinks(root, 100, 1)).length, 2);
      assert.equal((await db.repos.interactions.descendantLinks(root, 1, 100)).length, 1);

      await db.repos.statuses.addMentions(root, [{ id: await db.nextId(), accountId: b }, { id: await db.nextId(), accountId: c }]);
      await db.repos.interactions.replaceMentions(root, [{ id: await db.nextId(), accountId: c }, { id: await db.nextId(), accountId: a }]);
      assert.deepEqual(new Set((await db.repos.statuses.mentionsOf([root])).get(root)), new Set([c, a]));
      assert.equal(await db.repos.interactions.participatesIn(a, root), true);
      assert.equal(await db.repos.interactions.participatesIn(accounts[5], root), false);
    });
  });
}
