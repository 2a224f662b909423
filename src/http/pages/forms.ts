import type { Context } from "hono";
import type { FieldError } from "../../domain/validation.ts";
import { html, type SafeHtml } from "./html.ts";
import { sendPage } from "./layout.ts";

/** The hidden field every POST form carries. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="authenticity_token" value="${token}">`;
}

const FIELD_LABELS: Record<string, string> = {
  username: "Username",
  email: "E-mail address",
  password: "Password",
  password_confirmation: "Password confirmation",
  agreement: "Agreement",
  reason: "Reason",
  locale: "Language",
};

/** Validation problems as a list above a form. */
export function errorList(errors: readonly FieldError[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="error" role="alert"><ul class="errors">${errors.map(
    (e) => html`<li>${FIELD_LABELS[e.field] ?? e.field} ${e.description}</li>`,
  )}</ul></div>`;
}

/** 403 for a form whose CSRF token is missing or wrong (an old tab, or another site posting). */
export function csrfRefused(c: Context): Response {
  return sendPage(c, {
    title: "Request refused",
    status: 403,
    body: html`<h1>Request refused</h1>
<p>This form has expired or did not come from this site. Go back, reload the page and try again.</p>
<nav><a href="/">Home</a></nav>`,
  });
}

/** A page with a heading and a message, for outcomes (confirmed, link expired, check your e-mail). */
export function messagePage(c: Context, title: string, message: SafeHtml | string, status = 200): Response {
  return sendPage(c, { title, status, body: html`<h1>${title}</h1><p>${message}</p><nav><a href="/">Home</a></nav>` });
}

/**
 * A local path to return to after signing in, or `/` for anything else: never a URL on another host
 * (`//evil.example`, `https://…`, backslash tricks), so the form cannot be turned into an open redirect.
 */
export function safeReturnPath(value: string | undefined): string {
  if (!value || value.length > 4_000) return "/";
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/";
  try {
    const url = new URL(value, "http://localhost");
    if (url.host !== "localhost") return "/";
  } catch {
    return "/";
  }
  return /[\u0000-\u001f]/.test(value) ? "/" : value;
}
