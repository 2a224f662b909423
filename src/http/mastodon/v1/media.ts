import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { MediaRecord } from "../../../ports/repositories/media.ts";
import type { MediaAttributes } from "../../../services/media/attach-media.ts";
import type { MediaDeps, MediaError } from "../../../services/media/deps.ts";
import { deleteMedia, findOwnUnattachedMedia, updateMedia } from "../../../services/media/manage-media.ts";
import { uploadMedia } from "../../../services/media/upload-media.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { file, readParams, str, type Params } from "../params.ts";
import { renderMediaAttachment } from "../serializers/media-attachment.ts";
import { idParam } from "./account-helpers.ts";

/** Mastodon's answer for an attachment whose processing failed (Api::V1::MediaController#processing_error). */
const PROCESSING_ERROR = "Error processing thumbnail for uploaded media";

/** Media services' dependencies from the API's. */
export function mediaDeps(deps: ApiDeps): MediaDeps {
  return { db: deps.db, media: deps.media, images: deps.images, video: deps.video, clock: deps.clock, limits: deps.instance.mediaLimits, log: deps.log };
}

/** Turns a refused media request into Mastodon's status and message. */
export function mediaFailure(error: MediaError): never {
  switch (error.kind) {
    case "not_found":
      throw new HttpError(404, "Record not found");
    case "in_use":
      throw new HttpError(422, "Media attachment is currently used by a status");
    case "invalid":
      throw new HttpError(422, error.message);
    case "processing_failed":
      throw new HttpError(422, PROCESSING_ERROR, error.message ? { description: error.message } : {});
  }
}

/** An edit's `media_attributes[][id|description|focus]` (a JSON array, Rails brackets, or an index-keyed hash). */
export function mediaAttributesParam(params: Params): MediaAttributes[] {
  const raw = params.media_attributes;
  if (raw === undefined || typeof raw === "string" || raw instanceof File) return [];
  const entries = Array.isArray(raw) ? raw : Object.values(raw);
  const out: MediaAttributes[] = [];
  for (const e of entries) {
    if (typeof e !== "object" || e === null || e instanceof File || Array.isArray(e)) continue;
    const id = str(e, "id");
    if (id) out.push({ id, description: str(e, "description"), focus: str(e, "focus") });
  }
  return out;
}

/** An uploaded file's bytes; a text value where a file belongs counts as no file. */
async function fileBytes(params: Awaited<ReturnType<typeof readParams>>, key: string): Promise<Uint8Array | undefined> {
  const f = file(params, key);
  return f ? new Uint8Array(await f.arrayBuffer()) : undefined;
}

/**
 * Refuses request bodies past the largest upload (plus room for the other fields) before they are read, so a
 * huge upload is never buffered: 413, as a proxy in front of Mastodon answers.
 */
export function uploadBodyLimit(deps: ApiDeps): MiddlewareHandler {
  const { videoSizeLimit, imageSizeLimit } = deps.instance.mediaLimits;
  return bodyLimit({
    maxSize: Math.max(videoSizeLimit, imageSizeLimit) + 1024 * 1024,
    onError: (c) => c.json({ error: "The upload is too large" }, 413),
  });
}

/** POST /api/v1/media and /api/v2/media share this: only `delayProcessing` and the status code differ. */
export async function createMediaResponse(c: Context<ApiEnv>, deps: ApiDeps, delayProcessing: boolean): Promise<Response> {
  const params = await readParams(c);
  const result = await uploadMedia(mediaDeps(deps), {
    accountId: currentAccountId(c.get("auth")),
    file: await fileBytes(params, "file"),
    thumbnail: await fileBytes(params, "thumbnail"),
    description: str(params, "description"),
    focus: str(params, "focus"),
    delayProcessing,
  });
  if (!result.ok) mediaFailure(result.error);
  return c.json(mediaJson(deps, result.value), result.value.processing === "complete" ? 200 : 202);
}

export function mediaJson(deps: ApiDeps, m: MediaRecord): Record<string, unknown> {
  return renderMediaAttachment({ mediaUrl: (key) => deps.media.url(key) }, m);
}

/**
 * Media attachments: upload (v1 processes before answering), show (206 while processing, 422 when it
 * failed), update until attached, delete when unattached. Every action needs `write:media`, as in Mastodon.
 */
export function mountMedia(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = mediaDeps(deps);
  const active = requireActiveUser(deps);
  const scope = requireScope("write:media");

  const limit = uploadBodyLimit(deps);

  app.post("/api/v1/media", scope, active, limit, (c) => createMediaResponse(c, deps, false));

  app.get("/api/v1/media/:id", scope, active, async (c) => {
    const m = await findOwnUnattachedMedia(services, currentAccountId(c.get("auth")), idParam(c));
    if (!m) throw new HttpError(404, "Record not found");
    if (m.processing === "failed") mediaFailure({ kind: "processing_failed", message: m.processingError ?? "" });
    return c.json(mediaJson(deps, m), m.processing === "complete" ? 200 : 206);
  });

  app.put("/api/v1/media/:id", scope, active, limit, async (c) => {
    const params = await readParams(c);
    const result = await updateMedia(services, {
      accountId: currentAccountId(c.get("auth")),
      mediaId: idParam(c),
      description: str(params, "description"),
      focus: str(params, "focus"),
      thumbnail: await fileBytes(params, "thumbnail"),
    });
    if (!result.ok) mediaFailure(result.error);
    return c.json(mediaJson(deps, result.value), result.value.processing === "complete" ? 200 : 206);
  });

  app.delete("/api/v1/media/:id", scope, active, async (c) => {
    const result = await deleteMedia(services, currentAccountId(c.get("auth")), idParam(c));
    if (!result.ok) mediaFailure(result.error);
    return c.json({});
  });
}
