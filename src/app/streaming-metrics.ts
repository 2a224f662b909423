import client from "prom-client";
import type { StreamingObserver } from "../streaming/observer.ts";

/**
 * The streaming server's Prometheus metrics, in the process's registry: connected clients by transport,
 * subscriptions by transport and stream, messages sent by event, and what was dropped (slow clients cut off,
 * events dropped from a full queue). Names follow Mastodon's streaming server's where it has them.
 */
export function streamingMetrics(registry: client.Registry): StreamingObserver {
  const connected = new client.Gauge({
    name: "herd_streaming_connected_clients",
    help: "Open streaming connections by transport",
    labelNames: ["type"],
    registers: [registry],
  });
  const channels = new client.Gauge({
    name: "herd_streaming_connected_channels",
    help: "Stream subscriptions by transport and stream",
    labelNames: ["type", "channel"],
    registers: [registry],
  });
  const messages = new client.Counter({
    name: "herd_streaming_messages_sent_total",
    help: "Events written to streaming clients, by transport and event",
    labelNames: ["type", "event"],
    registers: [registry],
  });
  const drops = new client.Counter({
    name: "herd_streaming_dropped_total",
    help: "Streaming deliveries given up: slow clients cut off, events dropped from a full queue",
    labelNames: ["type", "reason"],
    registers: [registry],
  });
  // Every stream label exists from the start, so dashboards see zeros rather than gaps.
  for (const type of ["websocket", "eventsource"]) connected.set({ type }, 0);
  return {
    connection: (type, delta) => connected.inc({ type }, delta),
    subscription: (type, channel, delta) => channels.inc({ type, channel }, delta),
    sent: (type, event) => messages.inc({ type, event }),
    dropped: (type, reason) => drops.inc({ type, reason }),
  };
}
