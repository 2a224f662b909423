import type { Logger } from "../../ports/logger.ts";
import type { PubSub } from "../../ports/pubsub.ts";

// Without a logger from the composition root (tests, scripts), failures still reach stderr.
const consoleLogger: Pick<Logger, "error"> = { error: (obj, msg) => console.error(msg ?? "pub/sub error", obj) };

interface Subscription {
  readonly handler: (message: string) => void;
}

/**
 * Pub/sub inside one process, for the single-process instance. Delivery is always on a later turn of the
 * event loop, as with a real broker, so code that works here does not come to rely on a handler having run
 * by the time publish() returns. Messages on a channel arrive in the order they were published.
 */
export class MemoryPubSub implements PubSub {
  readonly #channels = new Map<string, Set<Subscription>>();
  readonly #log: Pick<Logger, "error">;
  #closed = false;

  constructor(log: Pick<Logger, "error"> = consoleLogger) {
    this.#log = log;
  }

  async publishMany(channels: readonly string[], message: string): Promise<void> {
    // A fan-out publishes to every follower's home channel, most with nobody listening: no await per channel.
    for (const channel of channels) this.#publish(channel, message);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#publish(channel, message);
  }

  #publish(channel: string, message: string): void {
    if (this.#closed) throw new Error("MemoryPubSub is closed");
    const subscriptions = this.#channels.get(channel);
    if (!subscriptions) return;
    // Those subscribed when the message was published receive it, unless they unsubscribe before delivery.
    const recipients = [...subscriptions];
    setImmediate(() => {
      for (const subscription of recipients) {
        if (!subscriptions.has(subscription) || this.#channels.get(channel) !== subscriptions) continue;
        try {
          subscription.handler(message);
        } catch (err) {
          this.#log.error({ err, channel }, "pub/sub handler failed");
        }
      }
    });
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("MemoryPubSub is closed");
    let subscriptions = this.#channels.get(channel);
    if (!subscriptions) {
      subscriptions = new Set();
      this.#channels.set(channel, subscriptions);
    }
    const subscription: Subscription = { handler };
    subscriptions.add(subscription);
    const joined = subscriptions;
    return async () => {
      joined.delete(subscription);
      if (joined.size === 0 && this.#channels.get(channel) === joined) this.#channels.delete(channel);
    };
  }

  subscribedChannels(): readonly string[] {
    return [...this.#channels.keys()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
  }
}
