import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Feeds } from "../../src/ports/feeds.ts";

/** One feeds store for one test; close() releases it and whatever it stored. */
export interface FeedsFixture {
  readonly feeds: Feeds;
  close(): Promise<void>;
}

/** Ids past 2^53, where a double would lose them: neighbours must stay distinct and ordered. */
const BASE = 2n ** 62n + 12_345n;
const id = (n: number) => BASE + BigInt(n);
const ids = (...ns: number[]) => ns.map(id);

/** The behaviour every Feeds adapter must have; `make(cap)` opens a store with that cap (its default if omitted). */
export function feedsContract(
  name: string,
  make: (cap?: number) => Promise<FeedsFixture>,
  options: { skip?: string | false } = {},
) {
  describe(`Feeds contract: ${name}`, { skip: options.skip ?? false }, () => {
    async function withFeeds(fn: (feeds: Feeds) => Promise<void>, cap?: number): Promise<void> {
      const fixture = await make(cap);
      try {
        await fn(fixture.feeds);
      } finally {
        await fixture.close();
      }
    }

    it("has a cap of 800 by default", () => withFeeds(async (feeds) => assert.equal(feeds.cap, 800)));

    it("reports a missing feed as null and an empty one as []", () =>
      withFeeds(async (feeds) => {
        assert.equal(await feeds.page("home:1", {}, 20), null);
        await feeds.replace("home:1", []);
        assert.deepEqual(await feeds.page("home:1", {}, 20), []);
        assert.deepEqual(await feeds.page("home:1", { maxId: id(5), minId: id(1) }, 20), []);
        await feeds.drop("home:1");
        assert.equal(await feeds.page("home:1", {}, 20), null);
        await feeds.drop("home:never");
      }));

    it("replaces a feed with its ids newest first, without duplicates, exact past 2^53", () =>
      withFeeds(async (feeds) => {
        await feeds.replace("home:1", ids(3, 1, 2, 3, 5));
        assert.deepEqual(await feeds.page("home:1", {}, 20), ids(5, 3, 2, 1));
        await feeds.replace("home:1", ids(9));
        assert.deepEqual(await feeds.page("home:1", {}, 20), ids(9), "replace drops what was there");
        await feeds.replace("list:1", [1n, 2n ** 64n - 1n, 10n]);
        assert.deepEqual(await feeds.page("list:1", {}, 20), [2n ** 64n - 1n, 10n, 1n]);
      }));

    it("pushes to existing feeds only and reports the missing ones", () =>
      withFeeds(async (feeds) => {
        await feeds.replace("home:a", ids(1));
        await feeds.replace("home:c", []);
        const missing = await feeds.push(["home:a", "home:b", "home:c", "home:d"], id(2));
        assert.deepEqual(missing.sort(), ["home:b", "home:d"]);
        assert.deepEqual(await feeds.page("home:a", {}, 20), ids(2, 1));
        assert.deepEqual(await feeds.page("home:c", {}, 20), ids(2));
        assert.equal(await feeds.page("home:b", {}, 20), null, "a push must not create a feed");
        assert.deepEqual(await feeds.push([], id(3)), []);
        assert.deepEqual(await feeds.push(["home:a"], id(2)), [], "pushing twice is harmless");
        assert.deepEqual(await feeds.page("home:a", {}, 20), ids(2, 1));
      }));

    it("pushes to thousands of feeds at once", () =>
      withFeeds(async (feeds) => {
        const keys = Array.from({ length: 1_200 }, (_, i) => `home:${i}`);
        for (const key of keys.filter((_, i) => i % 3 !== 0)) await feeds.replace(key, []);
        const missing = await feeds.push(keys, id(1));
        assert.deepEqual(missing.sort(), keys.filter((_, i) => i % 3 === 0).sort());
        assert.deepEqual(await feeds.page("home:1199", {}, 5), ids(1));
        assert.deepEqual(await feeds.page("home:1", {}, 5), ids(1));
      }));

    it("keeps only the newest ids up to the cap", () =>
      withFeeds(async (feeds) => {
        assert.equal(feeds.cap, 5);
        await feeds.replace("home:1", ids(10, 20, 30, 40, 50, 60, 70));
        assert.deepEqual(await feeds.page("home:1", {}, 20), ids(70, 60, 50, 40, 30));
        await feeds.push(["home:1"], id(80));
        await feeds.push(["home:1"], id(55));
        assert.deepEqual(await feeds.page("home:1", {}, 20), ids(80, 70, 60, 55, 50));
        await feeds.push(["home:1"], id(1));
        assert.deepEqual(await feeds.page("home:1", {}, 20), ids(80, 70, 60, 55, 50), "older than the cap: dropped");
        for (let n = 100; n < 120; n++) await feeds.push(["home:1"], id(n));
        assert.deepEqual(await feeds.page("home:1", {}, 20), ids(119, 118, 117, 116, 115));
      }, 5));

    it("pages by maxId, minId and fromOldest, with exclusive bounds", () =>
      withFeeds(async (feeds) => {
        await feeds.replace("home:1", ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        assert.deepEqual(await feeds.page("home:1", {}, 3), ids(10, 9, 8));
        assert.deepEqual(await feeds.page("home:1", { maxId: id(8) }, 3), ids(7, 6, 5));
        assert.deepEqual(await feeds.page("home:1", { maxId: id(3) }, 3), ids(2, 1));
        assert.deepEqual(await feeds.page("home:1", { minId: id(7) }, 10), ids(10, 9, 8));
        assert.deepEqual(await feeds.page("home:1", { minId: id(2) }, 3), ids(10, 9, 8), "since_id: newest first");
        assert.deepEqual(await feeds.page("home:1", { minId: id(2), fromOldest: true }, 3), ids(5, 4, 3), "min_id");
        assert.deepEqual(await feeds.page("home:1", { maxId: id(9), minId: id(3) }, 10), ids(8, 7, 6, 5, 4));
        assert.deepEqual(await feeds.page("home:1", { maxId: id(9), minId: id(3) }, 2), ids(8, 7));
        assert.deepEqual(await feeds.page("home:1", { maxId: id(9), minId: id(3), fromOldest: true }, 2), ids(5, 4));
        assert.deepEqual(await feeds.page("home:1", { fromOldest: true }, 2), ids(2, 1));
        assert.deepEqual(await feeds.page("home:1", { maxId: id(5), minId: id(4) }, 10), []);
        assert.deepEqual(await feeds.page("home:1", { maxId: id(1) }, 10), []);
        assert.deepEqual(await feeds.page("home:1", { minId: id(10) }, 10), []);
        assert.deepEqual(await feeds.page("home:1", { maxId: 0n }, 10), []);
        assert.deepEqual(await feeds.page("home:1", { minId: 0n }, 2), ids(10, 9));
        assert.deepEqual(await feeds.page("home:1", { maxId: 2n ** 70n }, 1), ids(10));
        assert.deepEqual(await feeds.page("home:1", {}, 0), []);
      }));

    it("removes a status from several feeds and leaves missing feeds missing", () =>
      withFeeds(async (feeds) => {
        await feeds.replace("home:a", ids(1, 2, 3));
        await feeds.replace("home:b", ids(2, 4));
        await feeds.remove(["home:a", "home:b", "home:missing"], id(2));
        assert.deepEqual(await feeds.page("home:a", {}, 10), ids(3, 1));
        assert.deepEqual(await feeds.page("home:b", {}, 10), ids(4));
        assert.equal(await feeds.page("home:missing", {}, 10), null);
        await feeds.remove(["home:b"], id(4));
        assert.deepEqual(await feeds.page("home:b", {}, 10), [], "removing the last id leaves an empty feed");
        await feeds.remove(["home:a"], id(99));
        assert.deepEqual(await feeds.page("home:a", {}, 10), ids(3, 1));
        await feeds.remove([], id(1));
      }));

    it("keeps feeds apart", () =>
      withFeeds(async (feeds) => {
        await feeds.replace("home:1", ids(1));
        await feeds.replace("home:2", ids(2));
        await feeds.push(["home:1"], id(3));
        await feeds.drop("home:2");
        assert.deepEqual(await feeds.page("home:1", {}, 10), ids(3, 1));
        assert.equal(await feeds.page("home:2", {}, 10), null);
      }));

    it("refuses ids a feed cannot hold", () =>
      withFeeds(async (feeds) => {
        await feeds.replace("home:1", []);
        await assert.rejects(feeds.push(["home:1"], 0n), RangeError);
        await assert.rejects(feeds.push(["home:1"], -1n), RangeError);
        await assert.rejects(feeds.replace("home:1", [1n, 2n ** 64n]), RangeError);
        assert.deepEqual(await feeds.page("home:1", {}, 10), []);
      }));
  });
}
