import type { Hono } from "hono";
import { parseId } from "../../../domain/ids.ts";
import type { MarkerRecord } from "../../../ports/repositories/notifications.ts";
import { getMarkers, MARKER_TIMELINES, saveMarkers, type MarkerTimeline } from "../../../services/notifications/markers.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { list, readParams } from "../params.ts";
import { renderMarker } from "../serializers/notification.ts";
import { notificationDeps } from "./notification-helpers.ts";

function markersJson(markers: ReadonlyMap<MarkerTimeline, MarkerRecord>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of MARKER_TIMELINES) {
    const m = markers.get(t);
    if (m) out[t] = renderMarker(m);
  }
  return out;
}

/** Read markers (Mastodon's /api/v1/markers): where the user stopped reading home and notifications. */
export function mountMarkers(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = notificationDeps(deps);
  const active = requireActiveUser(deps);

  app.get("/api/v1/markers", requireScope("read:statuses"), async (c) => {
    const params = await readParams(c);
    return c.json(markersJson(await getMarkers(services, currentAccountId(c.get("auth")), list(params, "timeline"))));
  });

  app.post("/api/v1/markers", requireScope("write:statuses"), active, async (c) => {
    const params = await readParams(c);
    const changes = new Map<MarkerTimeline, bigint>();
    for (const timeline of MARKER_TIMELINES) {
      const given = params[timeline];
      if (given === undefined) continue;
      const raw = typeof given === "object" && !Array.isArray(given) && !(given instanceof File) ? given.last_read_id : undefined;
      if (raw === undefined || raw === "") throw new HttpError(422, "Validation failed: Last read can't be blank");
      const id = typeof raw === "string" ? parseId(raw) : null;
      if (id === null) throw new HttpError(422, "Validation failed: Last read is not a number");
      changes.set(timeline, id);
    }
    return c.json(markersJson(await saveMarkers(services, currentAccountId(c.get("auth")), changes)));
  });
}
