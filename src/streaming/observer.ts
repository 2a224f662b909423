/** The two ways a client streams. */
export type Transport = "websocket" | "eventsource";

/** What the streaming server reports to metrics (implemented with prom-client by the composition root). */
export interface StreamingObserver {
  /** A connection opened (+1) or closed (-1). */
  connection(transport: Transport, delta: 1 | -1): void;
  /** A connection subscribed to (+1) or left (-1) a stream. */
  subscription(transport: Transport, stream: string, delta: 1 | -1): void;
  /** An event was written to a connection. */
  sent(transport: Transport, event: string): void;
  /** Something was not delivered: a slow client cut off, or an event dropped from a full queue. */
  dropped(transport: Transport | "queue", reason: string): void;
}

/** Reports nothing (tests, scripts). */
export const NO_OBSERVER: StreamingObserver = {
  connection() {},
  subscription() {},
  sent() {},
  dropped() {},
};
