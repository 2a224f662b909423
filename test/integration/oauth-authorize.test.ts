import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cleanupAuthRecords } from "../../src/jobs/auth-cleanup.ts";
import { hashSecret } from "../../src/services/auth/tokens.ts";
import { assertEntity } from "../support/openapi.ts";
import {
  authorize,
  authorizeUrl,
  Browser,
  formFor,
  freshAddress,
  pkcePair,
  redirectParams,
  registerApp,
  tokenRequest,
  userTokenFor,
} from "../support/oauth-flow.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const CALLBACK = "https://client.example/callback";
const OOB = "urn:ietf:wg:oauth:2.0:oob";

for (const v of appVariants)
  describe(`OAuth 2: authorization and web sessions (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let alice: { accountId: string; token: string; password: string };
    const aliceLogin = () => ({ login: "alice", password: alice.password });

    before(async () => {
      t = await startTestApp(v.name, { TRUSTED_PROXY_IP: "127.0.0.1" });
      alice = await t.user("alice");
    });
    after(() => t?.close());

    const token = (body: Record<string, string>, headers: Record<string, string> = {}) => tokenRequest(t, body, headers);
    const userToken = (app: { client_id: string; client_secret: string }, scope = "read profile") =>
      userTokenFor(t, app, aliceLogin(), CALLBACK, scope);

    describe("authorization code flow", () => {
      it("signs in, asks consent, redirects with code and state, and exchanges the code with PKCE S256", async () => {
        const app = await registerApp(t);
        const browser = new Browser(t);
        const { verifier, challenge } = pkcePair();
        const options = { clientId: app.client_id, redirectUri: CALLBACK, scope: "read profile", state: "st@te 1", codeChallenge: challenge, codeChallengeMethod: "S256" };
        const first = await browser.get(authorizeUrl(options));
        assert.equal(first.status, 302, "a signed-out browser is sent to sign in");
        const location = first.headers.get("location")!;
        assert.match(location, /^\/auth\/sign_in\?return_to=%2Foauth%2Fauthorize/);
        const signInPage = await browser.get(location);
        const signedIn = await browser.submit(signInPage.text, "/auth/sign_in", aliceLogin());
        assert.equal(signedIn.status, 303);
        assert.equal(signedIn.headers.get("location"), authorizeUrl(options));
        const consent = await browser.get(signedIn.headers.get("location")!);
        assert.equal(consent.status, 200);
        assert.match(consent.text, /Test client/);
        assert.match(consent.text, /<strong>read<\/strong>: read all your account&#39;s data/);
        assert.match(consent.text, /<strong>profile<\/strong>/);
        assert.match(consent.headers.get("content-security-policy")!, /form-action 'self' https:\/\/client\.example/);
        const res = await browser.submit(consent.text, "/oauth/authorize", { decision: "approve" });
        const params = redirectParams(res);
        assert.ok(res.headers.get("location")!.startsWith(`${CALLBACK}?`));
        assert.equal(params.get("state"), "st@te 1");
        const code = params.get("code")!;
        const exchanged = await token({ grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret, redirect_uri: CALLBACK, code, code_verifier: verifier });
        assert.equal(exchanged.status, 200, exchanged.text);
        assertEntity("Token", exchanged.body);
        assert.equal(exchanged.body.token_type, "Bearer");
        assert.equal(exchanged.body.scope, "read profile");
        assert.ok(Math.abs(exchanged.body.created_at - Date.now() / 1000) < 60, "created_at is in seconds");
        assert.equal(typeof exchanged.body.refresh_token, "string");
        const me = await t.request("GET", "/oauth/userinfo", { token: exchanged.body.access_token });
        assert.equal(me.status, 200);
        assert.equal(me.body.preferred_username, "alice");
        const grant = await t.container.db.kysely.selectFrom("oauth_access_grants").selectAll().where("code_hash", "=", hashSecret(code)).executeTakeFirstOrThrow();
        assert.equal(grant.code_challenge, challenge);
        assert.notEqual(grant.used_at, null);
      });

      it("accepts a plain PKCE challenge from a public client (no secret)", async () => {
        const app = await registerApp(t);
        const { verifier } = pkcePair();
        const res = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK, codeChallenge: verifier, codeChallengeMethod: "plain" }, aliceLogin());
        const exchanged = await token({ grant_type: "authorization_code", client_id: app.client_id, redirect_uri: CALLBACK, code: redirectParams(res).get("code")!, code_verifier: verifier });
        assert.equal(exchanged.status, 200, exchanged.text);
        assert.equal(exchanged.body.scope, "read");
      });

      it("lets a confidential client exchange without PKCE, and refuses a public client without PKCE", async () => {
        const app = await registerApp(t);
        const withSecret = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK, scope: "read write" }, aliceLogin());
        const ok = await token({ grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret, redirect_uri: CALLBACK, code: redirectParams(withSecret).get("code")! });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.body.scope, "read write");
        const noSecret = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK }, aliceLogin());
        const refused = await token({ grant_type: "authorization_code", client_id: app.client_id, redirect_uri: CALLBACK, code: redirectParams(noSecret).get("code")! });
        assert.equal(refused.status, 401);
        assert.equal(refused.body.error, "invalid_client");
      });

      it("refuses a wrong or missing verifier, another redirect URI and another client's code with invalid_grant", async () => {
        const app = await registerApp(t);
        const other = await registerApp(t);
        const { challenge } = pkcePair();
        const res = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK, codeChallenge: challenge, codeChallengeMethod: "S256" }, aliceLogin());
        const code = redirectParams(res).get("code")!;
        const base = { grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret, code };
        for (const body of [
          { ...base, redirect_uri: CALLBACK, code_verifier: pkcePair().verifier },
          { ...base, redirect_uri: CALLBACK },
          { ...base, redirect_uri: "https://client.example/other", code_verifier: "x".repeat(43) },
          { ...base, client_id: other.client_id, client_secret: other.client_secret, redirect_uri: CALLBACK },
        ]) {
          const refused = await token(body);
          assert.equal(refused.status, 400, JSON.stringify(body));
          assert.equal(refused.body.error, "invalid_grant");
          assertEntity("Error", refused.body);
        }
      });

      it("spends a code once: reuse is refused and revokes the token it gave", async () => {
        const app = await registerApp(t);
        const res = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK, scope: "profile" }, aliceLogin());
        const body = { grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret, redirect_uri: CALLBACK, code: redirectParams(res).get("code")! };
        const first = await token(body);
        assert.equal(first.status, 200);
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: first.body.access_token })).status, 200);
        const again = await token(body);
        assert.equal(again.status, 400);
        assert.equal(again.body.error, "invalid_grant");
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: first.body.access_token })).status, 401, "the leaked code's token is revoked");
      });

      it("revokes tokens refreshed from a replayed code too, and nobody else's", async () => {
        const app = await registerApp(t);
        const code = async () =>
          redirectParams(await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK, scope: "profile" }, aliceLogin())).get("code")!;
        const body = { grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret, redirect_uri: CALLBACK, code: await code() };
        const first = await token(body);
        const refreshed = await token({ grant_type: "refresh_token", client_id: app.client_id, client_secret: app.client_secret, refresh_token: first.body.refresh_token });
        assert.equal(refreshed.status, 200, refreshed.text);
        const unrelated = await token({ ...body, code: await code() });
        assert.equal(unrelated.status, 200);
        assert.equal((await token(body)).body.error, "invalid_grant");
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: refreshed.body.access_token })).status, 401, "descendant revoked");
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: unrelated.body.access_token })).status, 200, "another code's token lives");
      });

      it("refuses an expired code", async () => {
        const app = await registerApp(t);
        const repoApp = await t.container.db.repos.oauth.findApplicationByClientId(app.client_id);
        const user = await t.container.db.repos.users.findByLogin("alice");
        const code = "expired-code-" + "x".repeat(30);
        const past = Date.now() - 11 * 60_000;
        await t.container.db.repos.oauth.createGrant({
          id: await t.container.db.nextId(), codeHash: hashSecret(code), applicationId: repoApp!.id, userId: user!.user.id,
          redirectUri: CALLBACK, scopes: ["read"], codeChallenge: null, codeChallengeMethod: null, expiresAt: past + 10 * 60_000, now: past,
        });
        const res = await token({ grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret, redirect_uri: CALLBACK, code });
        assert.equal(res.status, 400);
        assert.equal(res.body.error, "invalid_grant");
      });

      it("redirects a denial with access_denied and the state", async () => {
        const app = await registerApp(t);
        const res = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK, state: "abc" }, aliceLogin(), "deny");
        const params = redirectParams(res);
        assert.equal(params.get("error"), "access_denied");
        assert.equal(params.get("state"), "abc");
        assert.equal(params.get("code"), null);
      });

      it("shows the code for the out-of-band redirect URI, and it exchanges", async () => {
        const app = await registerApp(t, { redirectUris: OOB });
        const res = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: OOB }, aliceLogin());
        assert.equal(res.status, 200);
        const code = /<code class="code" id="authorization-code">([^<]+)<\/code>/.exec(res.text)?.[1];
        assert.ok(code);
        const exchanged = await token({ grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret, redirect_uri: OOB, code });
        assert.equal(exchanged.status, 200, exchanged.text);
      });

      it("shows an error page, never a redirect, for an unknown client, an unregistered redirect URI or scopes beyond the app's", async () => {
        const app = await registerApp(t, { scopes: "read" });
        const browser = new Browser(t);
        await browser.signIn("alice", alice.password);
        for (const [url, kind] of [
          [authorizeUrl({ clientId: "nope", redirectUri: CALLBACK }), "invalid_client"],
          [authorizeUrl({ clientId: app.client_id, redirectUri: "https://evil.example/cb" }), "invalid_redirect_uri"],
          [authorizeUrl({ clientId: app.client_id, redirectUri: CALLBACK, scope: "read write" }), "invalid_scope"],
          [authorizeUrl({ clientId: app.client_id, redirectUri: CALLBACK, scope: "bogus" }), "invalid_scope"],
          [authorizeUrl({ clientId: app.client_id, redirectUri: CALLBACK, codeChallenge: "c".repeat(43), codeChallengeMethod: "S512" }), "invalid_code_challenge_method"],
          [authorizeUrl({ clientId: app.client_id, redirectUri: CALLBACK }).replace("response_type=code", "response_type=token"), "unsupported_response_type"],
        ] as const) {
          const res = await browser.get(url);
          assert.equal(res.status, 400, url);
          assert.equal(res.headers.get("location"), null);
          assert.match(res.text, new RegExp(`Error code: ${kind}`));
        }
      });

      it("asks a signed-in browser to sign in again with force_login, then returns to the consent page", async () => {
        const app = await registerApp(t);
        const browser = new Browser(t);
        await browser.signIn("alice", alice.password);
        const options = { clientId: app.client_id, redirectUri: CALLBACK };
        assert.equal((await browser.get(authorizeUrl(options))).status, 200, "signed in: consent at once");
        const forced = await browser.get(authorizeUrl({ ...options, forceLogin: true }));
        assert.equal(forced.status, 302);
        const page = await browser.get(forced.headers.get("location")!);
        const back = await browser.submit(page.text, "/auth/sign_in", aliceLogin());
        assert.equal(back.headers.get("location"), authorizeUrl(options), "returns without force_login");
      });

      it("escapes what the app registered when showing it", async () => {
        const res = await t.request("POST", "/api/v1/apps", {
          json: { client_name: `<script>alert("x")</script>`, redirect_uris: CALLBACK, website: `https://a.example/"><img src=x>` },
          headers: { "x-forwarded-for": freshAddress() },
        });
        assert.equal(res.status, 200, res.text);
        const browser = new Browser(t);
        await browser.signIn("alice", alice.password);
        const page = await browser.get(authorizeUrl({ clientId: res.body.client_id, redirectUri: CALLBACK }));
        assert.ok(!page.text.includes("<script>alert"), "no script tag");
        assert.match(page.text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
        assert.ok(!page.text.includes(`"><img`));
      });
    });

    describe("web session, CSRF and the authorized apps page", () => {
      it("sets an HttpOnly, SameSite=Lax session cookie and sends strict headers on pages", async () => {
        const browser = new Browser(t);
        const page = await browser.get("/auth/sign_in");
        const csp = page.headers.get("content-security-policy")!;
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.doesNotMatch(csp, /script-src/);
        assert.doesNotMatch(csp, /unsafe-inline/);
        assert.equal(page.headers.get("x-frame-options"), "DENY");
        assert.equal(page.headers.get("referrer-policy"), "same-origin");
        assert.match(page.headers.get("content-type")!, /^text\/html/);
        const res = await browser.submit(page.text, "/auth/sign_in", aliceLogin());
        const cookie = res.headers.getSetCookie().find((c) => c.startsWith("_herd_session="));
        assert.ok(cookie, "session cookie set");
        assert.match(cookie, /HttpOnly/i);
        assert.match(cookie, /SameSite=Lax/i);
        assert.match(cookie, /Path=\//);
        assert.match(cookie, /Max-Age=\d+/);
        assert.doesNotMatch(cookie, /Secure/i, "plain-http development instance");
        const value = browser.cookies.get("_herd_session")!;
        const rows = await t.container.db.kysely.selectFrom("web_sessions").select("session_hash").execute();
        assert.ok(rows.some((r) => r.session_hash === hashSecret(value)));
        assert.ok(!rows.some((r) => r.session_hash === value), "stored hashed");
      });

      it("refuses forms without a valid CSRF token, or posted from another site, with a 403 page", async () => {
        const browser = new Browser(t);
        const page = await browser.get("/auth/sign_in");
        const fields = formFor(page.text, "/auth/sign_in").fields;
        const missing = await browser.request("POST", "/auth/sign_in", { ...fields, authenticity_token: "", ...aliceLogin() });
        assert.equal(missing.status, 403);
        assert.match(missing.headers.get("content-security-policy")!, /default-src 'none'/);
        const stranger = new Browser(t);
        const stolen = await stranger.request("POST", "/auth/sign_in", { ...fields, ...aliceLogin() });
        assert.equal(stolen.status, 403, "a token is only good with its own browser cookie");
        const crossSite = await browser.request("POST", "/auth/sign_in", { ...fields, ...aliceLogin() }, { origin: "https://evil.example" });
        assert.equal(crossSite.status, 403);
        assert.equal(browser.cookies.get("_herd_session"), undefined, "not signed in");

        const app = await registerApp(t);
        await browser.signIn("alice", alice.password);
        const consent = await browser.get(authorizeUrl({ clientId: app.client_id, redirectUri: CALLBACK }));
        const forged = await browser.request("POST", "/oauth/authorize", { ...formFor(consent.text, "/oauth/authorize").fields, authenticity_token: "forged", decision: "approve" });
        assert.equal(forged.status, 403);
        assert.equal(forged.headers.get("location"), null, "no code issued");
      });

      it("refuses a wrong password and keeps the form, then signs out", async () => {
        const browser = new Browser(t);
        const wrong = await browser.signIn("alice@example.com", "wrong password");
        assert.equal(wrong.status, 422);
        assert.match(wrong.text, /Invalid e-mail address, username or password/);
        const ok = await browser.signIn("ALICE@example.com", alice.password);
        assert.equal(ok.status, 303, "e-mail works too, in any case");
        const home = await browser.get("/");
        assert.match(home.text, /Signed in as @alice@herd\.test/);
        const out = await browser.submit(home.text, "/auth/sign_out");
        assert.equal(out.status, 303);
        assert.doesNotMatch((await browser.get("/")).text, /Signed in as/);
      });

      it("lists authorized apps and revokes all of an app's tokens for the user", async () => {
        const app = await registerApp(t, { name: "Revocable" });
        const one = await userToken(app, "read profile");
        const two = await userToken(app, "profile");
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: one.access_token })).status, 200);
        const browser = new Browser(t);
        const signedOut = await browser.get("/oauth/authorized_applications");
        assert.equal(signedOut.status, 302);
        await browser.signIn("alice", alice.password);
        const page = await browser.get("/oauth/authorized_applications");
        assert.equal(page.status, 200);
        assert.match(page.text, /<h2>Revocable<\/h2>/);
        const appId = (await t.container.db.repos.oauth.findApplicationByClientId(app.client_id))!.id;
        const action = `/oauth/authorized_applications/${appId}/revoke`;
        const revoked = await browser.submit(page.text, action);
        assert.equal(revoked.status, 303);
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: one.access_token })).status, 401);
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: two.access_token })).status, 401);
        assert.doesNotMatch((await browser.get("/oauth/authorized_applications")).text, /Revocable/);
      });

      it("deletes long-expired codes and expired sessions periodically", async () => {
        const db = t.container.db;
        const app = (await db.repos.oauth.findApplicationByClientId((await registerApp(t)).client_id))!;
        const user = (await db.repos.users.findByLogin("alice"))!.user;
        const old = Date.now() - 3 * 24 * 3600_000;
        await db.repos.oauth.createGrant({
          id: await db.nextId(), codeHash: hashSecret("old code"), applicationId: app.id, userId: user.id, redirectUri: CALLBACK,
          scopes: ["read"], codeChallenge: null, codeChallengeMethod: null, expiresAt: old + 600_000, now: old,
        });
        await db.repos.sessions.create({ id: await db.nextId(), sessionHash: hashSecret("old session"), userId: user.id, ip: null, userAgent: null, now: old, expiresAt: old + 1000 });
        const live = new Browser(t);
        await live.signIn("alice", alice.password);
        await cleanupAuthRecords.run(t.container.jobDeps, { period: "test" }, { id: "1", name: cleanupAuthRecords.name, queue: "scheduler", payload: {}, attempt: 1, maxAttempts: 1, redelivered: false });
        assert.equal(await db.repos.oauth.findGrantByCodeHash(hashSecret("old code")), null);
        assert.equal(await db.kysely.selectFrom("web_sessions").select("id").where("session_hash", "=", hashSecret("old session")).executeTakeFirst(), undefined);
        assert.match((await live.get("/")).text, /Signed in as @alice/, "live sessions stay");
      });

      it("stores no token, refresh token, code or secret in clear", async () => {
        const app = await registerApp(t);
        const issued = await userToken(app);
        const db = t.container.db.kysely;
        const dump = JSON.stringify({
          apps: await db.selectFrom("oauth_applications").selectAll().execute(),
          tokens: await db.selectFrom("oauth_access_tokens").selectAll().execute(),
          grants: await db.selectFrom("oauth_access_grants").selectAll().execute(),
          sessions: await db.selectFrom("web_sessions").selectAll().execute(),
        }, (_k, v) => (typeof v === "bigint" ? String(v) : v));
        for (const secret of [app.client_secret, issued.access_token, issued.refresh_token, alice.token])
          assert.ok(!dump.includes(secret), "secret found in clear");
        assert.ok(dump.includes(hashSecret(issued.refresh_token)));
      });
    });
  });
describe("pages on an https instance", () => {
  it("marks cookies Secure and keeps them HttpOnly", async () => {
    const t = await startTestApp("sqlite", { LOCAL_HTTPS: "true" });
    try {
      const page = await t.request("GET", "/auth/sign_in");
      const cookie = page.headers.getSetCookie().find((c) => c.includes("herd_csrf"))!;
      assert.match(cookie, /^__Host-_herd_csrf=/);
      assert.match(cookie, /Secure/);
      assert.match(cookie, /HttpOnly/);
      await t.user("bob");
      const browser = new Browser(t);
      const res = await browser.signIn("bob", "correct horse battery");
      assert.equal(res.status, 303, res.text);
      assert.match(res.headers.getSetCookie().find((c) => c.startsWith("_herd_session="))!, /Secure/);
    } finally {
      await t.close();
    }
  });
});
