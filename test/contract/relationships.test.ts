import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import { remoteFollowers } from "../../src/adapters/db/migrations/0024-remote-followers.ts";
import { databaseEngines, type TestDatabase } from "../support/backends.ts";

for (const engine of databaseEngines) {
  describe(`RelationshipsRepository (${engine.name})`, { skip: engine.skip }, () => {
    let test: TestDatabase;
    let db: KyselyDatabase;
    const accounts: bigint[] = [];
    before(async () => {
      test = await engine.open();
      db = test.db;
      for (let i = 0; i < 12; i++) {
        const id = await db.nextId();
        await db.kysely
          .insertInto("accounts")
          .values({ id, username: `u${i}`, username_lower: `u${i}`, domain: null, display_name: "", note: "", locked: false, bot: false, created_at: 0, updated_at: 0 })
          .execute();
        accounts.push(id);
      }
    });
    after(() => test?.close());

    const countsOf = async (id: bigint) => {
      const a = await db.repos.accounts.findById(id);
      return { followers: a!.followersCount, following: a!.followingCount };
    };
    const follow = (a: bigint, b: bigint) =>
      db.transaction(async (tx) =>
        tx.relationships.follow({ id: await tx.nextId(), accountId: a, targetAccountId: b, showReblogs: true, notify: false, languages: null, now: Date.now() }),
      );
    const unfollow = (a: bigint, b: bigint) => db.transaction((tx) => tx.relationships.unfollow(a, b));

    it("counts a follow once, and an unfollow only when there was a follow", async () => {
      const [a, b] = accounts;
      assert.equal(await follow(a, b), true);
      assert.equal(await follow(a, b), false);
      assert.deepEqual(await countsOf(a), { followers: 0, following: 1 });
      assert.deepEqual(await countsOf(b), { followers: 1, following: 0 });
      assert.equal(await unfollow(a, b), true);
      assert.equal(await unfollow(a, b), false);
      assert.deepEqual(await countsOf(a), { followers: 0, following: 0 });
      assert.deepEqual(await countsOf(b), { followers: 0, following: 0 });
    });

    it("keeps counts equal to the rows under concurrent transactions, including crossed follows", async () => {
      const [x, y, ...rest] = accounts.slice(2, 8);
      const ops: Promise<boolean>[] = [];
      for (let i = 0; i < 20; i++) {
        ops.push(i % 2 === 0 ? follow(x, y) : unfollow(x, y));
        ops.push(i % 3 === 0 ? follow(y, x) : unfollow(y, x));
        for (const r of rest) ops.push(i % 2 === 0 ? follow(r, x) : follow(x, r));
      }
      await Promise.all(ops);
      for (const id of [x, y, ...rest]) {
        const rows = await db.kysely
          .selectFrom("follows")
          .select((eb) => [
            eb.fn.sum<number>(eb.case().when("target_account_id", "=", id).then(1).else(0).end()).as("followers"),
            eb.fn.sum<number>(eb.case().when("account_id", "=", id).then(1).else(0).end()).as("following"),
          ])
          .executeTakeFirstOrThrow();
        assert.deepEqual(await countsOf(id), { followers: Number(rows.followers ?? 0), following: Number(rows.following ?? 0) });
      }
    });

    it("reads every relation at once and ignores mutes that have expired by `now`", async () => {
      const [me, other, third] = accounts.slice(8);
      await db.transaction(async (tx) => {
        const r = tx.relationships;
        await r.follow({ id: await tx.nextId(), accountId: me, targetAccountId: other, showReblogs: false, notify: true, languages: ["en"], now: 1 });
        await r.requestFollow({ id: await tx.nextId(), accountId: third, targetAccountId: me, showReblogs: true, notify: false, languages: null, now: 1 });
        await r.mute({ id: await tx.nextId(), accountId: me, targetAccountId: other, hideNotifications: false, expiresAt: 5_000, now: 1 });
        await r.setNote(await tx.nextId(), me, other, "hello", 1);
        await r.endorse(await tx.nextId(), me, other, 1);
        await r.block(await tx.nextId(), third, me, 1);
      });
      const states = await db.repos.relationships.relationships(me, [other, third, 424242n], 1_000);
      assert.deepEqual([...states.keys()], [other, third], "unknown accounts have no entry");
      const o = states.get(other)!;
      assert.deepEqual(o.following, { showReblogs: false, notify: true, languages: ["en"] });
      assert.deepEqual(o.muting, { hideNotifications: false, expiresAt: 5_000 });
      assert.equal(o.note, "hello");
      assert.equal(o.endorsed, true);
      const t = states.get(third)!;
      assert.equal(t.requestedBy, true);
      assert.equal(t.blockedBy, true);
      assert.equal(t.following, null);
      const later = await db.repos.relationships.relationships(me, [other], 6_000);
      assert.equal(later.get(other)!.muting, null);
    });

    it("pages lists newest first by row id; min_id pages forward", async () => {
      const owner = accounts[11];
      for (const a of accounts.slice(0, 5)) await follow(a, owner);
      const all = await db.repos.relationships.listAccounts("followers", owner, { limit: 10 });
      assert.deepEqual(all.map((r) => r.accountId), accounts.slice(0, 5).reverse());
      const older = await db.repos.relationships.listAccounts("followers", owner, { limit: 2, maxId: all[1].rowId });
      assert.deepEqual(older.map((r) => r.accountId), [accounts[2], accounts[1]]);
      const forward = await db.repos.relationships.listAccounts("followers", owner, { limit: 2, minId: all[4].rowId });
      assert.deepEqual(forward.map((r) => r.accountId), [accounts[2], accounts[1]]);
      const since = await db.repos.relationships.listAccounts("followers", owner, { limit: 2, sinceId: all[4].rowId });
      assert.deepEqual(since.map((r) => r.accountId), [accounts[4], accounts[3]]);
    });

    it("finds the receivers of a fan-out batch excluded by blocks and mutes either way, unexpired mutes only, and domain blocks", async () => {
      const [author, mentioned, blocksAuthor, mutesAuthor, mutedLapsed, blockedByAuthor, mutesMentioned, blocksDomain, free] = accounts;
      await db.transaction(async (tx) => {
        await tx.relationships.block(await tx.nextId(), blocksAuthor, author, 1);
        await tx.relationships.block(await tx.nextId(), author, blockedByAuthor, 1);
        await tx.relationships.mute({ id: await tx.nextId(), accountId: mutesAuthor, targetAccountId: author, hideNotifications: true, expiresAt: null, now: 1 });
        await tx.relationships.mute({ id: await tx.nextId(), accountId: mutedLapsed, targetAccountId: author, hideNotifications: true, expiresAt: 500, now: 1 });
        await tx.relationships.mute({ id: await tx.nextId(), accountId: mutesMentioned, targetAccountId: mentioned, hideNotifications: true, expiresAt: null, now: 1 });
        await tx.relationships.blockDomain(await tx.nextId(), blocksDomain, "remote.example", 1);
      });
      const receivers = [blocksAuthor, mutesAuthor, mutedLapsed, blockedByAuthor, mutesMentioned, blocksDomain, free];
      const excluded = await db.repos.timelines.excludedAmong(receivers, { blockedOrMuted: [author, mentioned], blockers: [author], domains: ["Remote.example"], now: 1_000 });
      assert.deepEqual([...excluded].sort((a, b) => (a < b ? -1 : 1)), [blocksAuthor, mutesAuthor, blockedByAuthor, mutesMentioned, blocksDomain]);
      const early = await db.repos.timelines.excludedAmong([mutedLapsed, free], { blockedOrMuted: [author], blockers: [author], domains: [], now: 100 });
      assert.deepEqual([...early], [mutedLapsed], "a mute counts until it expires");
      assert.deepEqual([...(await db.repos.timelines.excludedAmong([free], { blockedOrMuted: [author], blockers: [author], domains: [], now: 1 }))], []);
      await db.transaction(async (tx) => {
        await tx.relationships.unblock(blocksAuthor, author);
        await tx.relationships.unblock(author, blockedByAuthor);
        for (const a of [mutesAuthor, mutedLapsed]) await tx.relationships.unmute(a, author);
        await tx.relationships.unmute(mutesMentioned, mentioned);
        await tx.relationships.unblockDomain(blocksDomain, "remote.example");
      });
    });

    it("tells remote followers from local ones by the flag set when the follow is written, and the migration's backfill", async () => {
      const remoteAccount = async (name: string) => {
        const id = await db.nextId();
        await db.kysely
          .insertInto("accounts")
          .values({
            id, username: name, username_lower: name, domain: "remote.example", display_name: "", note: "", locked: false, bot: false, created_at: 0, updated_at: 0,
            inbox_url: `https://remote.example/users/${name}/inbox`, shared_inbox_url: "https://remote.example/inbox",
          })
          .execute();
        return id;
      };
      const [local, author] = [accounts[9], accounts[10]];
      const recipients = db.repos.federationRecipients;
      // A post's counter update tells the same, without a statement of its own.
      const posted = async (at: number) => (await db.transaction((tx) => tx.statuses.addAccountStatuses(author, 1, at)))!;
      const before = (await db.kysely.selectFrom("accounts").select("statuses_count").where("id", "=", author).executeTakeFirstOrThrow()).statuses_count;
      await follow(local, author);
      assert.equal(await recipients.hasRemoteFollowers(author), false, "a local follower is not a remote audience");
      assert.deepEqual(await posted(1_000), { statusesCount: Number(before) + 1, lastStatusAt: 1_000, hasRemoteFollowers: false });
      assert.deepEqual(await recipients.followerInboxes(author, true), []);
      const far = await remoteAccount("far");
      await follow(far, author);
      assert.equal(await recipients.hasRemoteFollowers(author), true);
      assert.deepEqual(await posted(2_000), { statusesCount: Number(before) + 2, lastStatusAt: 2_000, hasRemoteFollowers: true });
      assert.equal(await db.transaction((tx) => tx.statuses.addAccountStatuses(999_999_999n, 1)), null, "an account that is gone");
      assert.deepEqual(await recipients.followerInboxes(author, true), ["https://remote.example/inbox"]);
      assert.deepEqual(await recipients.followerInboxes(author, false), ["https://remote.example/users/far/inbox"]);
      await unfollow(far, author);
      assert.equal(await recipients.hasRemoteFollowers(author), false);

      // Rows written before migration 0024 get the flag from their follower's domain.
      const migration = remoteFollowers();
      await migration.down!(db.kysely);
      const older = await remoteAccount("older");
      await db.kysely.insertInto("follows").values({ id: await db.nextId(), account_id: older, target_account_id: author, created_at: 0 }).execute();
      await migration.up(db.kysely);
      assert.equal(await recipients.hasRemoteFollowers(author), true);
      const flags = await db.kysely.selectFrom("follows").select(["account_id", "remote_follower"]).where("target_account_id", "=", author).execute();
      const flagOf = new Map(flags.map((r) => [BigInt(r.account_id), Boolean(r.remote_follower)]));
      assert.deepEqual([...flagOf].sort(([a], [b]) => (a < b ? -1 : 1)), [[local, false], [older, true]]);
    });
  });
}
