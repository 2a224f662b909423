import type { Redis } from "ioredis";
import type { Feeds, IdRange } from "../../ports/feeds.ts";
import { checkCap, checkFeedId, MAX_FEED_ID, newestFirst } from "../feed-ids.ts";
import { RedisScript } from "./redis-script.ts";
import { execAll } from "./redis-pipeline.ts";

/**
 * Ids are members, not scores: a score is a double and 64-bit ids exceed its exact range. Zero-padded to 20
 * digits, lexicographic order equals numeric order, so every member has score 0 and ranges use BYLEX.
 */
const WIDTH = 20;
/** Present in every existing feed, so an empty feed is a key (not a missing one); sorts below every id. */
const SENTINEL = "0".repeat(WIDTH);
/** How many feeds one push script touches, so a fan-out to many followers never blocks Redis for long. */
const PUSH_BATCH = 500;

function member(id: bigint): string {
  return id.toString().padStart(WIDTH, "0");
}

// KEYS: feeds; ARGV: member, cap. Returns the 1-based positions of the feeds that do not exist.
const pushScript = new RedisScript(
  "herdFeedsPush",
  `local missing = {}
local stop = -(tonumber(ARGV[2]) + 1)
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, 0, ARGV[1])
    redis.call('ZREMRANGEBYRANK', key, 1, stop)
  else
    missing[#missing + 1] = i
  end
end
return missing`,
);

// ARGV: low bound, high bound (BYLEX syntax), limit, "1" for oldest first. Nil means the feed is missing.
const pageScript = new RedisScript(
  "herdFeedsPage",
  `if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[4] == '1' then
  return redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'BYLEX', 'LIMIT', 0, ARGV[3])
end
return redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[1], 'BYLEX', 'REV', 'LIMIT', 0, ARGV[3])`,
);

/**
 * Home and list feeds as Redis sorted sets under `prefix`. A lost or evicted key is a missing feed, which the
 * caller rebuilds from the database. The connection belongs to the caller: close() leaves it open.
 */
export class RedisFeeds implements Feeds {
  readonly cap: number;
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string, cap = 800) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.cap = checkCap(cap);
    pushScript.register(redis);
    pageScript.register(redis);
  }

  async push(feedKeys: readonly string[], statusId: bigint): Promise<string[]> {
    checkFeedId(statusId);
    if (feedKeys.length === 0) return [];
    const m = member(statusId);
    const pipeline = this.#redis.pipeline();
    const batches: (readonly string[])[] = [];
    for (let i = 0; i < feedKeys.length; i += PUSH_BATCH) {
      const batch = feedKeys.slice(i, i + PUSH_BATCH);
      batches.push(batch);
      pushScript.queue(pipeline, batch.map((k) => this.#prefix + k), [m, this.cap]);
    }
    const missing: string[] = [];
    (await execAll(pipeline)).forEach((reply, b) => {
      for (const position of reply as number[]) missing.push(batches[b][Number(position) - 1]);
    });
    return missing;
  }

  async page(feedKey: string, range: IdRange, limit: number): Promise<bigint[] | null> {
    const count = Math.max(0, Math.floor(limit));
    const low =
      range.minId === undefined || range.minId < 0n
        ? `(${SENTINEL}`
        : `(${member(range.minId > MAX_FEED_ID ? MAX_FEED_ID : range.minId)}`;
    const high =
      range.maxId === undefined || range.maxId > MAX_FEED_ID ? "+" : `(${member(range.maxId < 0n ? 0n : range.maxId)}`;
    const reply = (await pageScript.run(
      this.#redis,
      [this.#prefix + feedKey],
      [low, high, count, range.fromOldest ? "1" : "0"],
    )) as string[] | null;
    if (reply === null) return null;
    const ids = reply.map((m) => BigInt(m));
    return range.fromOldest ? ids.reverse() : ids;
  }

  async replace(feedKey: string, ids: readonly bigint[]): Promise<void> {
    const members = newestFirst(ids, this.cap).map(member);
    const key = this.#prefix + feedKey;
    const scoreMembers: string[] = [];
    for (const m of [SENTINEL, ...members]) scoreMembers.push("0", m);
    await execAll(this.#redis.multi().del(key).zadd(key, ...scoreMembers));
  }

  async remove(feedKeys: readonly string[], statusId: bigint): Promise<void> {
    checkFeedId(statusId);
    if (feedKeys.length === 0) return;
    const m = member(statusId);
    const pipeline = this.#redis.pipeline();
    // ZREM never creates a key, so a missing feed stays missing.
    for (const k of feedKeys) pipeline.zrem(this.#prefix + k, m);
    await execAll(pipeline);
  }

  async drop(feedKey: string): Promise<void> {
    await this.#redis.del(this.#prefix + feedKey);
  }

  async close(): Promise<void> {
    // The connection is shared with other adapters; whoever created it quits it.
  }
}
