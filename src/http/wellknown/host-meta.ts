import type { Context, Hono } from "hono";
import type { HerdEnv } from "../app.ts";

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * /.well-known/host-meta (RFC 6415): where WebFinger lives, as XRD, or as JRD with ?format=json and at
 * /.well-known/host-meta.json, as Mastodon serves both. The template points at WEB_DOMAIN, so an apex
 * LOCAL_DOMAIN that redirects host-meta here sends clients to the right host.
 */
export function mountHostMeta(app: Hono<HerdEnv>, baseUrl: string): void {
  const template = `${baseUrl}/.well-known/webfinger?resource={uri}`;
  const json = (c: Context<HerdEnv>) => {
    c.header("Cache-Control", "max-age=259200, public");
    c.header("Content-Type", "application/json; charset=utf-8");
    return c.body(JSON.stringify({ links: [{ rel: "lrdd", template }] }));
  };
  app.get("/.well-known/host-meta", (c) => {
    if (c.req.query("format") === "json") return json(c);
    c.header("Cache-Control", "max-age=259200, public");
    c.header("Content-Type", "application/xrd+xml; charset=utf-8");
    return c.body(
      `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${escapeXml(template)}"/>\n</XRD>\n`,
    );
  });
  app.get("/.well-known/host-meta.json", (c) => json(c));
}
