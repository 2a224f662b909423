import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryCache } from "../../src/adapters/memory/memory-cache.ts";
import { escapeHtml, html } from "../../src/http/pages/html.ts";
import { safeReturnPath } from "../../src/http/pages/forms.ts";
import { countRequest, peekRequests } from "../../src/http/middleware/rate-limit.ts";
import { redirectWithParams, scopesWithin, verifyCodeVerifier } from "../../src/services/oauth/authorization.ts";
import { canPost, standingOf } from "../../src/services/auth/user-standing.ts";
import { validationDetails, validationMessage, fieldError } from "../../src/domain/validation.ts";

describe("html template", () => {
  it("escapes every interpolation and keeps nested templates", () => {
    const name = `<img src=x onerror="alert('1')">&`;
    const out = html`<p title="${name}">${name}</p>${html`<b>${"<i>"}</b>`}${[html`<li>${"a&b"}</li>`, "<x>"]}${null}${false}`;
    assert.equal(
      out.value,
      `<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p><b>&lt;i&gt;</b><li>a&amp;b</li>&lt;x&gt;`,
    );
    assert.equal(escapeHtml(`"'<>&`), "&quot;&#39;&lt;&gt;&amp;");
  });
});

describe("return paths after sign-in", () => {
  it("keeps local paths and refuses anything that leaves the site", () => {
    assert.equal(safeReturnPath("/oauth/authorize?client_id=a&scope=read"), "/oauth/authorize?client_id=a&scope=read");
    for (const bad of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "evil", "/x\ny", undefined, ""])
      assert.equal(safeReturnPath(bad), "/", String(bad));
  });
});

describe("PKCE", () => {
  it("verifies RFC 7636 Appendix B's S256 example, and plain challenges", () => {
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert.equal(verifyCodeVerifier(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256"), true);
    assert.equal(verifyCodeVerifier(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN", "S256"), false);
    assert.equal(verifyCodeVerifier(verifier, verifier, "plain"), true);
    assert.equal(verifyCodeVerifier("short", "short", "plain"), false, "verifiers are 43 to 128 characters");
  });

  it("adds response parameters to a redirect URI that already has a query", () => {
    assert.equal(redirectWithParams("https://a.example/cb?x=1", { code: "c d", state: null }), "https://a.example/cb?x=1&code=c+d");
    assert.equal(redirectWithParams("myapp://oauth", { code: "c" }), "myapp://oauth?code=c");
  });
});

describe("scopes", () => {
  it("accepts granular scopes within a registered top-level scope, and nothing wider", () => {
    assert.equal(scopesWithin(["read:accounts", "read"], ["read", "write"]), true);
    assert.equal(scopesWithin(["write:follows"], ["follow"]), true);
    assert.equal(scopesWithin(["write"], ["write:statuses"]), false);
    assert.equal(scopesWithin(["profile"], ["read"]), false);
  });
});

describe("user standing", () => {
  it("lets only confirmed, approved, enabled users post", () => {
    const base = { disabled: false, approved: true, confirmedAt: 1 };
    assert.equal(standingOf(base), "active");
    assert.equal(canPost(base), true);
    assert.equal(standingOf({ ...base, confirmedAt: null }), "unconfirmed");
    assert.equal(standingOf({ ...base, approved: false, confirmedAt: null }), "pending");
    assert.equal(standingOf({ ...base, disabled: true }), "disabled");
    assert.equal(canPost({ ...base, confirmedAt: null }), false);
  });
});

describe("validation messages", () => {
  it("words errors as Rails does and groups details by field", () => {
    const errors = [fieldError.blank("password"), fieldError.invalid("redirect_uri", "must be an absolute URI."), fieldError.taken("email")];
    assert.equal(validationMessage(errors), "Validation failed: Password can't be blank, Redirect URI must be an absolute URI., Email has already been taken");
    assert.deepEqual(validationDetails(errors).email, [{ error: "ERR_TAKEN", description: "has already been taken" }]);
  });
});

describe("rate limit windows", () => {
  it("counts per window aligned to the period, and starts over in the next window", async () => {
    const cache = new MemoryCache();
    let now = 1_000_000 * 60_000;
    const deps = { cache, clock: { now: () => now } };
    const rule = { name: "t", limit: 2, periodMs: 60_000 };
    assert.equal((await countRequest(deps, rule, "1.2.3.4")).remaining, 1);
    assert.equal((await countRequest(deps, rule, "1.2.3.4")).limited, false);
    const third = await countRequest(deps, rule, "1.2.3.4");
    assert.equal(third.limited, true);
    assert.equal(third.resetAt, now + 60_000);
    assert.equal((await peekRequests(deps, rule, "1.2.3.4")).limited, true);
    assert.equal((await countRequest(deps, rule, "5.6.7.8")).limited, false, "per discriminator");
    now += 60_000;
    assert.equal((await countRequest(deps, rule, "1.2.3.4")).limited, false);
    await cache.close();
  });
});
