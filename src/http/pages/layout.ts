import { createHash } from "node:crypto";
import type { Context } from "hono";
import { html, SafeHtml } from "./html.ts";

// The only style of every page, inline so pages need no other request; allowed by its hash in the CSP, so no
// other inline style (or any script) can run.
const STYLE = `
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f232b;background:#f6f7f9}
main{background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input[type=text],input[type=email],input[type=password],textarea{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #b3b9c4;border-radius:4px;font:inherit}
button{font:inherit;padding:.5rem 1rem;border-radius:4px;border:0;background:#595aff;color:#fff;cursor:pointer;margin:.8rem .4rem 0 0}
button.secondary{background:#e1e3ea;color:#1f232b}.notice{background:#eef;padding:.6rem;border-radius:4px}
.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}ul.errors{margin:.2rem 0;color:#8a1c1c}
code.code{display:block;font-size:1.1rem;padding:.6rem;background:#eef;word-break:break-all}nav{margin-top:1rem;font-size:.9rem}
.check label{display:inline;font-weight:normal}.note{white-space:pre-line}.scopes li{margin:.2rem 0}.muted{color:#5c6370;font-size:.9rem}
`;
const STYLE_HASH = createHash("sha256").update(STYLE).digest("base64");

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  readonly status?: number;
  /**
   * Origins (or schemes) a form on this page may lead to besides this site. Browsers apply form-action to the
   * redirect that follows a POST, so the consent page lists the client's redirect URI here.
   */
  readonly formTargets?: readonly string[];
}

/**
 * Sends a server-rendered page with the headers every page carries: a CSP without scripts, no framing, no
 * referrer outside the site, no caching (pages show per-user state and CSRF tokens).
 */
export function sendPage(c: Context, options: PageOptions): Response {
  const formAction = ["'self'", ...(options.formTargets ?? [])].join(" ");
  c.header(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self' https: data:; form-action ${formAction}; ` +
      "frame-ancestors 'none'; base-uri 'none'",
  );
  c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "same-origin");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Cache-Control", "no-store");
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
${options.body}
</main>
</body>
</html>`;
  return c.html(doc.value, (options.status ?? 200) as 200);
}
