import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PubSub } from "../../src/ports/pubsub.ts";
import { sleep, waitFor } from "../support/timing.ts";

/** One pub/sub for one test; `peer`, when the backend spans processes, is a second instance on the same broker. */
export interface PubSubFixture {
  readonly pubsub: PubSub;
  readonly peer?: PubSub;
  close(): Promise<void>;
}

/** Long enough for a message that should not arrive to have arrived. */
const SETTLE_MS = 60;

/** The behaviour every PubSub adapter must have. */
export function pubSubContract(name: string, make: () => Promise<PubSubFixture>, options: { skip?: string | false } = {}) {
  describe(`PubSub contract: ${name}`, { skip: options.skip ?? false }, () => {
    async function withPubSub(fn: (fixture: PubSubFixture) => Promise<void>): Promise<void> {
      const fixture = await make();
      try {
        await fn(fixture);
      } finally {
        await fixture.close();
      }
    }

    it("delivers messages in order, never inside publish", () =>
      withPubSub(async ({ pubsub }) => {
        const received: string[] = [];
        await pubsub.subscribe("timeline:public", (m) => received.push(m));
        const publishing = pubsub.publish("timeline:public", "m0");
        assert.deepEqual(received, [], "delivered synchronously inside publish");
        await publishing;
        for (let i = 1; i < 20; i++) await pubsub.publish("timeline:public", `m${i}`);
        await waitFor(() => received.length === 20, 2_000, "20 messages");
        assert.deepEqual(received, Array.from({ length: 20 }, (_, i) => `m${i}`));
      }));

    it("publishes one message to many channels, each subscriber once", () =>
      withPubSub(async ({ pubsub }) => {
        const got: string[] = [];
        await pubsub.subscribe("timeline:public", (m) => got.push(`public ${m}`));
        await pubsub.subscribe("timeline:public:local", (m) => got.push(`local ${m}`));
        await pubsub.subscribe("hashtag:x", (m) => got.push(`tag ${m}`));
        await pubsub.publishMany([], "none");
        await pubsub.publishMany(["timeline:public:local"], "one");
        await pubsub.publishMany(["timeline:public", "timeline:public:local", "nobody:listens"], "two");
        await waitFor(() => got.length === 3, 2_000, "three deliveries");
        await sleep(SETTLE_MS);
        assert.deepEqual(got.sort(), ["local one", "local two", "public two"]);
      }));

    it("delivers to every handler and only on its own channel", () =>
      withPubSub(async ({ pubsub }) => {
        const a: string[] = [];
        const b: string[] = [];
        const other: string[] = [];
        await pubsub.subscribe("user:1", (m) => a.push(m));
        await pubsub.subscribe("user:1", (m) => b.push(m));
        await pubsub.subscribe("user:2", (m) => other.push(m));
        await pubsub.publish("user:1", '{"event":"update"}');
        await pubsub.publish("nobody:listens", "x");
        await waitFor(() => a.length === 1 && b.length === 1, 2_000, "both handlers");
        await sleep(SETTLE_MS);
        assert.deepEqual(a, ['{"event":"update"}']);
        assert.deepEqual(b, ['{"event":"update"}']);
        assert.deepEqual(other, []);
        assert.deepEqual([...pubsub.subscribedChannels()].sort(), ["user:1", "user:2"]);
      }));

    it("keeps the channel while another handler remains, and drops it with the last", () =>
      withPubSub(async ({ pubsub }) => {
        const a: string[] = [];
        const b: string[] = [];
        const offA = await pubsub.subscribe("hashtag:cats", (m) => a.push(m));
        const offB = await pubsub.subscribe("hashtag:cats", (m) => b.push(m));
        await offA();
        await offA();
        assert.deepEqual(pubsub.subscribedChannels(), ["hashtag:cats"]);
        await pubsub.publish("hashtag:cats", "one");
        await waitFor(() => b.length === 1, 2_000, "the remaining handler");
        await sleep(SETTLE_MS);
        assert.deepEqual(a, [], "an unsubscribed handler receives nothing");
        await offB();
        assert.deepEqual(pubsub.subscribedChannels(), []);
        await pubsub.publish("hashtag:cats", "two");
        await sleep(SETTLE_MS);
        assert.deepEqual(b, ["one"]);
        const c: string[] = [];
        await pubsub.subscribe("hashtag:cats", (m) => c.push(m));
        await pubsub.publish("hashtag:cats", "three");
        await waitFor(() => c.length === 1, 2_000, "a handler subscribed again");
        assert.deepEqual(c, ["three"]);
      }));

    it("counts the same function subscribed twice as two subscriptions", () =>
      withPubSub(async ({ pubsub }) => {
        const received: string[] = [];
        const handler = (m: string) => received.push(m);
        const off1 = await pubsub.subscribe("c", handler);
        await pubsub.subscribe("c", handler);
        await off1();
        assert.deepEqual(pubsub.subscribedChannels(), ["c"]);
        await pubsub.publish("c", "x");
        await waitFor(() => received.length === 1, 2_000, "one delivery");
        await sleep(SETTLE_MS);
        assert.deepEqual(received, ["x"]);
      }));

    it("keeps delivering to other handlers when one throws", () =>
      withPubSub(async ({ pubsub }) => {
        const received: string[] = [];
        await pubsub.subscribe("c", () => {
          throw new Error("handler bug");
        });
        await pubsub.subscribe("c", (m) => received.push(m));
        await pubsub.publish("c", "a");
        await pubsub.publish("c", "b");
        await waitFor(() => received.length === 2, 2_000, "both messages");
      }));

    it("handles concurrent subscribe and unsubscribe of one channel", () =>
      withPubSub(async ({ pubsub }) => {
        const counts = Array.from({ length: 10 }, () => 0);
        const offs = await Promise.all(counts.map((_, i) => pubsub.subscribe("busy", () => void counts[i]++)));
        await Promise.all(offs.slice(0, 9).map((off) => off()));
        assert.deepEqual(pubsub.subscribedChannels(), ["busy"]);
        await pubsub.publish("busy", "x");
        await waitFor(() => counts[9] === 1, 2_000, "the last handler");
        await sleep(SETTLE_MS);
        assert.deepEqual(counts, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        await offs[9]();
        assert.deepEqual(pubsub.subscribedChannels(), []);
      }));

    it("delivers across instances on the same broker", async (t) => {
      const fixture = await make();
      try {
        const { pubsub, peer } = fixture;
        if (!peer) {
          t.skip("this backend lives in one process");
          return;
        }
        const received: string[] = [];
        await peer.subscribe("user:9", (m) => received.push(m));
        await pubsub.publish("user:9", "from the other process");
        await waitFor(() => received.length === 1, 2_000, "the peer's delivery");
        assert.deepEqual(received, ["from the other process"]);
        assert.deepEqual(pubsub.subscribedChannels(), [], "publishing does not subscribe");
      } finally {
        await fixture.close();
      }
    });
  });
}
