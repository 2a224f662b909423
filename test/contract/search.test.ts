import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PostgresSearchIndex, rebuildPostgresSearchIndex } from "../../src/adapters/db/search/postgres-search-index.ts";
import { SqliteSearchIndex } from "../../src/adapters/db/search/sqlite-search-index.ts";
import { databaseEngines, SKIP_POSTGRES } from "../support/backends.ts";
import { searchContract } from "./search.contract.ts";

for (const engine of databaseEngines) {
  searchContract(
    engine.name === "sqlite" ? "SQLite FTS5" : "PostgreSQL tsvector",
    async () => {
      const test = await engine.open();
      const index = engine.name === "sqlite" ? new SqliteSearchIndex(test.db.kysely) : new PostgresSearchIndex(test.db.kysely);
      return { db: test.db, index, close: () => test.close() };
    },
    { skip: engine.skip },
  );
}

describe("rebuildPostgresSearchIndex (after herd admin db copy)", { skip: SKIP_POSTGRES }, () => {
  it("indexes every status that is not deleted and not a boost, remote ones without their HTML", async () => {
    const engine = databaseEngines.find((e) => e.name === "postgres")!;
    const test = await engine.open();
    try {
      const db = test.db.kysely;
      const account = await test.db.nextId();
      await db.insertInto("accounts").values({ id: account, username: "rebuilt", username_lower: "rebuilt", domain: null, display_name: "", note: "", locked: false, bot: false, indexable: true, created_at: 0, updated_at: 0 }).execute();
      const row = async (text: string, extra: Record<string, unknown> = {}) => {
        const id = await test.db.nextId();
        await db.insertInto("statuses").values({ id, account_id: account, text, visibility: "public", created_at: 0, updated_at: 0, ...extra }).execute();
        return id;
      };
      const local = await row("copied koala");
      const remote = await row("<p>remote <span>koala</span></p>", { uri: "https://remote.example/1" });
      await row("deleted koala", { deleted_at: 1 });
      await row("", { reblog_of_id: local });
      await rebuildPostgresSearchIndex(db);
      const index = new PostgresSearchIndex(db);
      const found = await index.query({ terms: { words: ["koala"], phrases: [], excluded: [] }, viewerId: account, limit: 10, offset: 0 });
      assert.deepEqual(found, [remote, local]);
      assert.deepEqual(await index.query({ terms: { words: ["span"], phrases: [], excluded: [] }, viewerId: account, limit: 10, offset: 0 }), []);
    } finally {
      await test.close();
    }
  });
});
