/** Fire-and-forget messages between processes (streaming events). No patterns: exact channel names only. */
export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** The same message on each of `channels`: one round trip where `publish` would cost one per channel. */
  publishMany(channels: readonly string[], message: string): Promise<void>;
  /**
   * Calls `handler` for every message on the channel from now on. The returned function unsubscribes; the
   * backend is subscribed to a channel only while it has at least one handler.
   */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Channels with at least one local handler. */
  subscribedChannels(): readonly string[];
  close(): Promise<void>;
}
