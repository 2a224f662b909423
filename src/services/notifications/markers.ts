import type { MarkerRecord } from "../../ports/repositories/notifications.ts";
import type { NotificationDeps } from "./read-notifications.ts";

/** Mastodon's Marker::TIMELINES. */
export const MARKER_TIMELINES = ["home", "notifications"] as const;
export type MarkerTimeline = (typeof MARKER_TIMELINES)[number];

export function isMarkerTimeline(name: string): name is MarkerTimeline {
  return (MARKER_TIMELINES as readonly string[]).includes(name);
}

/** The viewer's markers for the known timelines among `timelines` (unknown names are ignored, as Mastodon does). */
export async function getMarkers(deps: NotificationDeps, viewerId: bigint, timelines: readonly string[]): Promise<Map<MarkerTimeline, MarkerRecord>> {
  const wanted = MARKER_TIMELINES.filter((t) => timelines.includes(t));
  const rows = await deps.db.repos.notifications.findMarkers(viewerId, wanted);
  return new Map(rows.map((r) => [r.timeline as MarkerTimeline, r]));
}

/**
 * Sets read markers in one transaction: each moves to its new last read id and its version goes up by one
 * (an unchanged marker keeps its version, as Rails' optimistic locking does). Returns the markers set.
 */
export async function saveMarkers(
  deps: NotificationDeps,
  viewerId: bigint,
  changes: ReadonlyMap<MarkerTimeline, bigint>,
): Promise<Map<MarkerTimeline, MarkerRecord>> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    for (const [timeline, lastReadId] of changes) await tx.notifications.saveMarker(await tx.nextId(), viewerId, timeline, lastReadId, now);
    const rows = await tx.notifications.findMarkers(viewerId, [...changes.keys()]);
    return new Map(rows.map((r) => [r.timeline as MarkerTimeline, r]));
  });
}
