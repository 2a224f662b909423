import type { Hono } from "hono";
import { instanceActivity, instancePeers, instanceSnapshot } from "../../../services/instance/instance-info.ts";
import type { HerdEnv } from "../../app.ts";
import { drawPng } from "../../default-images.ts";
import { HttpError } from "../../errors.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { DEFAULT_THUMBNAIL_PATH, renderPolicyText, renderRule, renderV1Instance } from "../serializers/instance.ts";
import { instanceDeps, instanceRenderInput, publicCache } from "./instance-helpers.ts";

/** Shown for updated_at when a text was never set (the entity needs a time). */
const NEVER = new Date(0).toISOString();

/**
 * Shown when the operator has not written a privacy policy (Mastodon ships a long template instead; Herd does not
 * put legal text in an operator's mouth).
 */
const NO_PRIVACY_POLICY = "This server has not published a privacy policy yet. Ask its administrators what it stores about you and for how long.";

let thumbnail: Buffer | null = null;

/** A 1200×630 card in Herd's colours: the picture link previews of the instance show when none is set. */
function thumbnailPng(): Buffer {
  return (thumbnail ??= drawPng(1200, 630, (x, y) => {
    const hill = y > 430 + 60 * Math.sin(x / 140);
    return hill ? [0x5b, 0x7f, 0x5a] : [0xd9, 0xe1, 0xe8];
  }));
}

/** Today's date (UTC) as YYYY-MM-DD. */
function today(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * GET /api/v1/instance and its sub-resources. All public, as in Mastodon: no token needed, and any token's
 * scopes will do, since nothing here depends on who asks.
 */
export function mountInstanceV1(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = instanceDeps(deps);

  app.get(DEFAULT_THUMBNAIL_PATH, () =>
    new Response(new Uint8Array(thumbnailPng()), {
      headers: { "Content-Type": "image/png", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" },
    }),
  );

  app.get("/api/v1/instance", async (c) => {
    publicCache(c);
    return c.json(renderV1Instance(await instanceRenderInput(deps)));
  });

  app.get("/api/v1/instance/peers", async (c) => {
    publicCache(c);
    return c.json(await instancePeers(services));
  });

  app.get("/api/v1/instance/activity", async (c) => {
    publicCache(c);
    const weeks = await instanceActivity(services);
    return c.json(
      weeks.map((w) => ({
        week: String(Math.floor(w.weekStart / 1000)),
        statuses: String(w.statuses),
        logins: String(w.logins),
        registrations: String(w.registrations),
      })),
    );
  });

  app.get("/api/v1/instance/rules", async (c) => {
    publicCache(c);
    return c.json((await instanceSnapshot(services)).rules.map(renderRule));
  });

  app.get("/api/v1/instance/extended_description", async (c) => {
    publicCache(c);
    const s = (await instanceSnapshot(services)).settings.site_extended_description;
    return c.json({ updated_at: s ? new Date(s.updatedAt).toISOString() : NEVER, content: s ? renderPolicyText(s.value) : "" });
  });

  app.get("/api/v1/instance/privacy_policy", async (c) => {
    publicCache(c);
    const s = (await instanceSnapshot(services)).settings.privacy_policy;
    return c.json({ updated_at: s ? new Date(s.updatedAt).toISOString() : NEVER, content: renderPolicyText(s ? s.value : NO_PRIVACY_POLICY) });
  });

  const terms = async (date: string | null) => {
    const { settings } = await instanceSnapshot(services);
    const text = settings.terms_of_service;
    if (!text) throw new HttpError(404, "Record not found");
    const effectiveDate = settings.terms_of_service_effective_date?.value ?? today(text.updatedAt);
    if (date !== null && date !== effectiveDate) throw new HttpError(404, "Record not found");
    return {
      effective_date: effectiveDate,
      effective: effectiveDate <= today(deps.clock.now()),
      content: renderPolicyText(text.value),
      succeeded_by: null,
    };
  };
  app.get("/api/v1/instance/terms_of_service", async (c) => {
    publicCache(c);
    return c.json(await terms(null));
  });
  // Herd keeps one version of the terms: the date of that version finds it, any other date finds nothing.
  app.get("/api/v1/instance/terms_of_service/:date", async (c) => {
    publicCache(c);
    return c.json(await terms(c.req.param("date")));
  });

  // Translation is not available on this server (configuration.translation.enabled is false): no language pairs.
  app.get("/api/v1/instance/translation_languages", async (c) => {
    publicCache(c);
    return c.json({});
  });
}
