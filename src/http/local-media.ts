import { assertMediaKey } from "../domain/media-keys.ts";
import { Readable } from "node:stream";
import type { Hono } from "hono";
import { RangeNotSatisfiableError, type MediaStore } from "../ports/media-store.ts";
import type { HerdEnv } from "./app.ts";

/** One `bytes=start-end` range (or `start-`, or the suffix `-n`); null for absent, multiple or malformed ranges. */
export function parseRange(header: string | undefined): { start: number; end?: number } | { suffix: number } | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  const end = m[2] === "" ? undefined : Number(m[2]);
  if (end !== undefined && end < start) return null;
  return { start, end };
}

/**
 * Serves the local media store at /system/…, where LocalMediaStore's URLs point. Keys are never reused for
 * other content, so responses are cacheable for good. Uploaded files are served so that a browser can never run
 * them as a page of this origin (nosniff, and a CSP that allows nothing).
 */
export function mountLocalMedia(app: Hono<HerdEnv>, media: MediaStore): void {
  app.get("/system/*", async (c) => {
    let key: string;
    try {
      key = decodeURIComponent(c.req.path.slice("/system/".length));
    } catch {
      return c.json({ error: "Not found" }, 404);
    }
    const requested = parseRange(c.req.header("range"));
    let range: { start: number; end?: number } | undefined;
    try {
      if (requested && "suffix" in requested) {
        const head = await media.get(key, { start: 0, end: 0 });
        if (!head) return c.json({ error: "Not found" }, 404);
        head.body.destroy();
        const total = head.range?.total ?? head.size;
        range = { start: Math.max(0, total - requested.suffix) };
      } else if (requested) {
        range = requested;
      }
      const object = await media.get(key, range);
      if (!object) return c.json({ error: "Not found" }, 404);
      const headers: Record<string, string> = {
        "Content-Type": object.contentType,
        "Content-Length": String(object.size),
        "Cache-Control": "public, max-age=315576000, immutable",
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
      };
      if (object.range) headers["Content-Range"] = `bytes ${object.range.start}-${object.range.end}/${object.range.total}`;
      return new Response(Readable.toWeb(object.body) as ReadableStream, { status: object.range ? 206 : 200, headers });
    } catch (error) {
      if (error instanceof RangeNotSatisfiableError)
        return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${error.size}` } });
      // A key that breaks the store's rules (traversal attempts) is simply not there.
      if (error instanceof Error && /invalid media key/.test(error.message)) return c.json({ error: "Not found" }, 404);
      throw error;
    }
  });
}

/**
 * On an S3 store, /system/… links handed out while media moved from local disk (or through MEDIA_MIGRATION_FROM)
 * keep working: they redirect to the object's URL in the bucket (or its alias host). Keys that break the store's
 * rules are not there.
 */
export function mountMediaRedirects(app: Hono<HerdEnv>, media: MediaStore): void {
  app.get("/system/*", (c) => {
    let key: string;
    try {
      key = decodeURIComponent(c.req.path.slice("/system/".length));
      assertMediaKey(key);
    } catch {
      return c.json({ error: "Not found" }, 404);
    }
    return c.redirect(media.url(key), 301);
  });
}
