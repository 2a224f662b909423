import type { Redis } from "ioredis";
import type { Logger } from "../../ports/logger.ts";
import type { PubSub } from "../../ports/pubsub.ts";
import { closeRedis } from "./redis-connection.ts";
import { execAll } from "./redis-pipeline.ts";

// Without a logger from the composition root (tests, scripts), failures still reach stderr.
const consoleLogger: Pick<Logger, "error"> = { error: (obj, msg) => console.error(msg ?? "pub/sub error", obj) };

interface Subscription {
  readonly handler: (message: string) => void;
}

interface ChannelState {
  readonly subscriptions: Set<Subscription>;
  /** Settles when the server has confirmed SUBSCRIBE, so a subscriber never misses a message published after. */
  readonly ready: Promise<void>;
}

/**
 * Pub/sub over Redis under `prefix`. Publishes on the shared connection given to it; receives on one dedicated
 * subscriber connection of its own (a subscribed connection cannot run other commands), opened on the first
 * subscribe and closed by close(). A channel is subscribed on the server only while it has local handlers,
 * so a streaming process receives only the events its connected clients want.
 */
export class RedisPubSub implements PubSub {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #log: Pick<Logger, "error">;
  readonly #channels = new Map<string, ChannelState>();
  #subscriber: Redis | null = null;
  #closed = false;

  constructor(redis: Redis, prefix: string, log: Pick<Logger, "error"> = consoleLogger) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#log = log;
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.#closed) throw new Error("RedisPubSub is closed");
    await this.#redis.publish(this.#prefix + channel, message);
  }

  async publishMany(channels: readonly string[], message: string): Promise<void> {
    if (this.#closed) throw new Error("RedisPubSub is closed");
    if (channels.length === 0) return;
    if (channels.length === 1) return this.publish(channels[0], message);
    const pipeline = this.#redis.pipeline();
    for (const channel of channels) pipeline.publish(this.#prefix + channel, message);
    await execAll(pipeline);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("RedisPubSub is closed");
    let state = this.#channels.get(channel);
    if (!state) {
      const created: ChannelState = {
        subscriptions: new Set(),
        ready: this.#connection()
          .subscribe(this.#prefix + channel)
          .then(() => undefined),
      };
      created.ready.catch(() => {
        if (this.#channels.get(channel) === created) this.#channels.delete(channel);
      });
      this.#channels.set(channel, created);
      state = created;
    }
    const subscription: Subscription = { handler };
    state.subscriptions.add(subscription);
    try {
      await state.ready;
    } catch (error) {
      state.subscriptions.delete(subscription);
      throw error;
    }
    const joined = state;
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      await this.#leave(channel, joined, subscription);
    };
  }

  subscribedChannels(): readonly string[] {
    return [...this.#channels.keys()];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    if (subscriber) await closeRedis(subscriber);
  }

  async #leave(channel: string, state: ChannelState, subscription: Subscription): Promise<void> {
    state.subscriptions.delete(subscription);
    if (state.subscriptions.size > 0 || this.#channels.get(channel) !== state) return;
    this.#channels.delete(channel);
    // Commands on one connection run in order, so a later SUBSCRIBE to this channel still wins.
    if (!this.#closed && this.#subscriber) await this.#subscriber.unsubscribe(this.#prefix + channel);
  }

  #connection(): Redis {
    if (!this.#subscriber) {
      // No retry limit: a SUBSCRIBE issued during a reconnect waits for the server instead of failing.
      const subscriber = this.#redis.duplicate({ maxRetriesPerRequest: null, connectionName: "herd-subscriber" });
      subscriber.on("message", (channel: string, message: string) => this.#dispatch(channel, message));
      subscriber.on("error", (err: unknown) => this.#log.error({ err }, "Redis subscriber connection error"));
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  #dispatch(prefixed: string, message: string): void {
    if (!prefixed.startsWith(this.#prefix)) return;
    const state = this.#channels.get(prefixed.slice(this.#prefix.length));
    if (!state) return;
    for (const subscription of [...state.subscriptions]) {
      // Skip handlers that unsubscribed while earlier handlers of this message ran.
      if (!state.subscriptions.has(subscription)) continue;
      try {
        subscription.handler(message);
      } catch (err) {
        this.#log.error({ err, channel: prefixed.slice(this.#prefix.length) }, "pub/sub handler failed");
      }
    }
  }
}
