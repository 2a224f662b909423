import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import type { SearchIndex, SearchTerms, StatusSearchQuery } from "../../src/ports/search.ts";

/** One database with a search index over it; close() releases both. */
export interface SearchFixture {
  readonly db: KyselyDatabase;
  readonly index: SearchIndex;
  close(): Promise<void>;
}

/** Ids past 2^53, where a double would lose them. */
const BASE = 2n ** 60n;
let next = 0n;
const newId = () => BASE + ++next * 1_000n;

const terms = (words: string[], excluded: string[] = [], phrases: string[][] = []): SearchTerms => ({ words, phrases, excluded });

/** The behaviour every SearchIndex adapter must have, whatever engine holds it. */
export function searchContract(name: string, make: () => Promise<SearchFixture>, options: { skip?: string | false } = {}) {
  describe(`SearchIndex contract: ${name}`, { skip: options.skip ?? false }, () => {
    let f: SearchFixture;
    let indexable: bigint, private_: bigint, viewer: bigint;
    before(async () => {
      f = await make();
      indexable = await account("indexed", true);
      private_ = await account("unindexed", false);
      viewer = await account("viewer", false);
    });
    after(() => f?.close());

    async function account(username: string, isIndexable: boolean): Promise<bigint> {
      const id = newId();
      await f.db.kysely
        .insertInto("accounts")
        .values({ id, username, username_lower: username, domain: null, display_name: "", note: "", locked: false, bot: false, indexable: isIndexable, created_at: 0, updated_at: 0 })
        .execute();
      return id;
    }

    /** A status with its text indexed; `mentions` records mentions of those accounts. */
    async function status(accountId: bigint, text: string, visibility = "public", mentions: bigint[] = []): Promise<bigint> {
      const id = newId();
      await f.db.kysely
        .insertInto("statuses")
        .values({ id, account_id: accountId, text, visibility, created_at: 0, updated_at: 0 })
        .execute();
      for (const m of mentions) await f.db.kysely.insertInto("mentions").values({ id: newId(), status_id: id, account_id: m }).execute();
      await f.index.index(id, text);
      return id;
    }

    const find = (t: SearchTerms, rest: Partial<StatusSearchQuery> = {}) => f.index.query({ terms: t, viewerId: viewer, limit: 20, offset: 0, ...rest });

    it("finds statuses holding every word, in any case, newest first, and none for no words", async () => {
      const a = await status(indexable, "The quick brown Fox jumps");
      const b = await status(indexable, "a fox, sleeping; not quick");
      await status(indexable, "only a dog here");
      assert.deepEqual(await find(terms(["fox"])), [b, a]);
      assert.deepEqual(await find(terms(["quick", "fox"])), [b, a]);
      assert.deepEqual(await find(terms(["brown", "fox"])), [a]);
      assert.deepEqual(await find(terms(["FOX", "JUMPS"].map((w) => w.toLowerCase()))), [a]);
      assert.deepEqual(await find(terms(["fox"], ["sleeping"])), [a]);
      assert.deepEqual(await find(terms(["cat"])), []);
      assert.deepEqual(await find(terms([])), []);
    });

    it("applies changes asked for at the same moment, each status's last one winning", async () => {
      const ids: bigint[] = [];
      for (let i = 0; i < 6; i++) {
        const id = newId();
        await f.db.kysely.insertInto("statuses").values({ id, account_id: indexable, text: "", visibility: "public", created_at: 0, updated_at: 0 }).execute();
        ids.push(id);
      }
      const [kept, edited, removed, readded, ...plain] = ids;
      await Promise.all([
        f.index.index(kept, "simultaneous wombat"),
        f.index.index(edited, "simultaneous draft"),
        f.index.index(removed, "simultaneous wombat"),
        f.index.index(readded, "simultaneous wombat"),
        ...plain.map((id) => f.index.index(id, "simultaneous wombat")),
        f.index.index(edited, "simultaneous wombat edited"),
        f.index.remove(removed),
        f.index.remove(readded),
        f.index.index(readded, "simultaneous wombat again"),
      ]);
      const found = await find(terms(["simultaneous", "wombat"]));
      assert.deepEqual(new Set(found), new Set([kept, edited, readded, ...plain]));
      assert.deepEqual(await find(terms(["draft"])), []);
      assert.deepEqual(await find(terms(["edited"])), [edited]);
    });

    it("matches phrases only as written, in order", async () => {
      const s1 = await status(indexable, "the red panda sleeps");
      const s2 = await status(indexable, "a panda, red with anger");
      assert.deepEqual(await find(terms([], [], [["red", "panda"]])), [s1]);
      assert.deepEqual(await find(terms(["panda"], [], [["panda", "red"]])), [s2]);
      assert.deepEqual(await find(terms(["sleeps"], [], [["red", "panda"]])), [s1]);
      assert.deepEqual(await find(terms([], ["anger"], [["red", "panda"]])), [s1]);
    });

    it("reads no word as an operator", async () => {
      const s = await status(indexable, "and or not near quoted");
      assert.deepEqual(await find(terms(["and", "or", "not", "near"])), [s]);
      assert.deepEqual(await find(terms(["it's"])), []);
      assert.deepEqual(await find(terms(['"', "*"])), []);
    });

    it("matches words in other scripts", async () => {
      const ru = await status(indexable, "Привет мир из Москвы");
      const el = await status(indexable, "καλημέρα κόσμε");
      assert.deepEqual(await find(terms(["мир"])), [ru]);
      assert.deepEqual(await find(terms(["привет"])), [ru]);
      assert.deepEqual(await find(terms(["κόσμε"])), [el]);
    });

    it("replaces a status's entry when indexed again, and forgets it when removed", async () => {
      const s = await status(indexable, "original wording zebra");
      await f.index.index(s, "edited wording giraffe");
      assert.deepEqual(await find(terms(["zebra"])), []);
      assert.deepEqual(await find(terms(["giraffe"])), [s]);
      await f.index.remove(s);
      assert.deepEqual(await find(terms(["giraffe"])), []);
      await f.index.remove(s);
      await f.index.remove(newId());
    });

    it("offers only public statuses of indexable authors, the searcher's own, and those mentioning them", async () => {
      const open = await status(indexable, "candidate public");
      const unlisted = await status(indexable, "candidate unlisted", "unlisted");
      await status(private_, "candidate not indexable");
      const own = await status(viewer, "candidate mine", "private");
      const mentioned = await status(private_, "candidate mention", "direct", [viewer]);
      const mentionedElsewhere = await status(private_, "candidate other mention", "direct", [indexable]);
      const deleted = await status(indexable, "candidate deleted");
      await f.db.kysely.updateTable("statuses").set({ deleted_at: 1 }).where("id", "=", deleted).execute();
      assert.deepEqual(await find(terms(["candidate"])), [mentioned, own, open]);
      const asAuthor = await f.index.query({ terms: terms(["candidate"]), viewerId: indexable, limit: 20, offset: 0 });
      assert.deepEqual(asAuthor, [mentionedElsewhere, unlisted, open], "an author finds all their own statuses, and mentions of them");
    });

    it("filters by author and pages by id bounds, limit and offset", async () => {
      const s1 = await status(indexable, "paging word");
      const s2 = await status(viewer, "paging word");
      const s3 = await status(indexable, "paging word");
      const s4 = await status(indexable, "paging word");
      assert.deepEqual(await find(terms(["paging"])), [s4, s3, s2, s1]);
      assert.deepEqual(await find(terms(["paging"]), { accountId: indexable }), [s4, s3, s1]);
      assert.deepEqual(await find(terms(["paging"]), { maxId: s3 }), [s2, s1]);
      assert.deepEqual(await find(terms(["paging"]), { minId: s2 }), [s4, s3]);
      assert.deepEqual(await find(terms(["paging"]), { minId: s1, maxId: s4 }), [s3, s2]);
      assert.deepEqual(await find(terms(["paging"]), { limit: 2 }), [s4, s3]);
      assert.deepEqual(await find(terms(["paging"]), { limit: 2, offset: 2 }), [s2, s1]);
    });
  });
}
