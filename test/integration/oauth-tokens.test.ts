import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hashSecret } from "../../src/services/auth/tokens.ts";
import { assertEntity, assertResponse } from "../support/openapi.ts";
import {
  freshAddress,
  registerApp,
  tokenRequest,
  userTokenFor,
} from "../support/oauth-flow.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const CALLBACK = "https://client.example/callback";
const OOB = "urn:ietf:wg:oauth:2.0:oob";

for (const v of appVariants)
  describe(`OAuth 2: apps, client credentials, refresh, revocation, userinfo (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let alice: { accountId: string; token: string; password: string };
    const aliceLogin = () => ({ login: "alice", password: alice.password });

    before(async () => {
      t = await startTestApp(v.name, { TRUSTED_PROXY_IP: "127.0.0.1" });
      alice = await t.user("alice");
    });
    after(() => t?.close());

    const token = (body: Record<string, string>, headers: Record<string, string> = {}) => tokenRequest(t, body, headers);
    const clientToken = async (app: { client_id: string; client_secret: string }, scope = "read") => {
      const res = await token({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope });
      assert.equal(res.status, 200, res.text);
      return res.body.access_token as string;
    };
    const userToken = (app: { client_id: string; client_secret: string }, scope = "read profile") =>
      userTokenFor(t, app, aliceLogin(), CALLBACK, scope);

    describe("POST /api/v1/apps", () => {
      it("registers from a JSON body with an array of redirect URIs and returns the secret once", async () => {
        const res = await t.request("POST", "/api/v1/apps", {
          json: { client_name: "Tusky", redirect_uris: [CALLBACK, "myapp://oauth"], scopes: "read write push", website: "https://tusky.example" },
          headers: { "x-forwarded-for": freshAddress() },
        });
        assert.equal(res.status, 200, res.text);
        assertEntity("CredentialApplication", res.body);
        assertResponse("POST", "/api/v1/apps", 200, res.body);
        assert.deepEqual(res.body.redirect_uris, [CALLBACK, "myapp://oauth"]);
        assert.equal(res.body.redirect_uri, `${CALLBACK}\nmyapp://oauth`);
        assert.deepEqual(res.body.scopes, ["read", "write", "push"]);
        assert.equal(res.body.client_secret_expires_at, 0);
        assert.equal(res.body.website, "https://tusky.example");
        const row = await t.container.db.kysely.selectFrom("oauth_applications").selectAll().where("client_id", "=", res.body.client_id).executeTakeFirstOrThrow();
        assert.equal(row.client_secret_hash, hashSecret(res.body.client_secret));
        assert.ok(!JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes(res.body.client_secret), "the clear secret is not stored");
      });

      it("registers from a form body with newline-separated URIs, out-of-band, and defaults scopes to read", async () => {
        const res = await t.request("POST", "/api/v1/apps", {
          form: { client_name: "Form app", redirect_uris: `${OOB}\n${CALLBACK}` },
          headers: { "x-forwarded-for": freshAddress() },
        });
        assert.equal(res.status, 200, res.text);
        assertEntity("CredentialApplication", res.body);
        assert.deepEqual(res.body.redirect_uris, [OOB, CALLBACK]);
        assert.deepEqual(res.body.scopes, ["read"]);
        assert.equal(res.body.website, null);
        const multi = await t.request("POST", "/api/v1/apps", {
          form: { client_name: "Rails array", "redirect_uris[]": [CALLBACK, OOB] },
          headers: { "x-forwarded-for": freshAddress() },
        });
        assert.deepEqual(multi.body.redirect_uris, [CALLBACK, OOB]);
      });

      it("refuses invalid input with 422 and Mastodon's message", async () => {
        const cases: [Record<string, unknown>, string][] = [
          [{ client_name: "x", redirect_uris: CALLBACK, scopes: "read destroy" }, "Validation failed: Scopes doesn't match configured on the server."],
          [{ client_name: "x", redirect_uris: "/relative" }, "Validation failed: Redirect URI must be an absolute URI."],
          [{ client_name: "x", redirect_uris: "https://a.example/cb#frag" }, "Validation failed: Redirect URI cannot contain a fragment."],
          [{ client_name: "x", redirect_uris: "javascript:alert(1)" }, "Validation failed: Redirect URI is forbidden by the server."],
          [{ redirect_uris: CALLBACK }, "Validation failed: Name can't be blank"],
          [{ client_name: "x" }, "Validation failed: Redirect URI can't be blank"],
          [{ client_name: "x", redirect_uris: CALLBACK, website: "not a url" }, "Validation failed: Website is invalid"],
        ];
        for (const [json, message] of cases) {
          const res = await t.request("POST", "/api/v1/apps", { json, headers: { "x-forwarded-for": freshAddress() } });
          assert.equal(res.status, 422, JSON.stringify(json));
          assertResponse("POST", "/api/v1/apps", 422, res.body);
          assert.equal(res.body.error, message);
        }
      });

      it("limits registrations to 5 per 10 minutes per address, with Mastodon's headers", async () => {
        const ip = freshAddress();
        for (let i = 0; i < 5; i++) {
          const ok = await t.request("POST", "/api/v1/apps", { json: { client_name: `n${i}`, redirect_uris: OOB }, headers: { "x-forwarded-for": ip } });
          assert.equal(ok.status, 200);
          assert.equal(ok.headers.get("x-ratelimit-remaining"), String(4 - i));
        }
        const limited = await t.request("POST", "/api/v1/apps", { json: { client_name: "n6", redirect_uris: OOB }, headers: { "x-forwarded-for": ip } });
        assert.equal(limited.status, 429);
        assert.deepEqual(limited.body, { error: "Too many requests" });
        assert.equal(limited.headers.get("x-ratelimit-limit"), "5");
        assert.equal(limited.headers.get("x-ratelimit-remaining"), "0");
        const reset = Date.parse(limited.headers.get("x-ratelimit-reset")!);
        assert.ok(reset > Date.now() && reset <= Date.now() + 10 * 60_000);
        const other = await t.request("POST", "/api/v1/apps", { json: { client_name: "n7", redirect_uris: OOB }, headers: { "x-forwarded-for": freshAddress() } });
        assert.equal(other.status, 200, "another address is not limited");
      });
    });

    describe("client credentials and verify_credentials", () => {
      it("gives an app token within the app's scopes that verify_credentials accepts", async () => {
        const app = await registerApp(t, { scopes: "read write" });
        const res = await token({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret });
        assert.equal(res.status, 200, res.text);
        assertEntity("Token", res.body);
        assertResponse("POST", "/oauth/token", 200, res.body);
        assert.equal(res.body.scope, "read");
        assert.equal(res.body.refresh_token, undefined, "no refresh token for client credentials");
        assert.equal(res.headers.get("cache-control"), "no-store");
        const verified = await t.request("GET", "/api/v1/apps/verify_credentials", { token: res.body.access_token });
        assert.equal(verified.status, 200, verified.text);
        assertEntity("Application", verified.body);
        assert.equal(verified.body.name, "Test client");
        assert.equal(verified.body.client_secret, undefined);
        const anon = await t.request("GET", "/api/v1/apps/verify_credentials");
        assert.equal(anon.status, 401);
        assertEntity("Error", anon.body);
      });

      it("refuses scopes beyond the app's, wrong secrets, and accepts HTTP Basic client authentication", async () => {
        const app = await registerApp(t, { scopes: "read" });
        const wide = await token({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "write" });
        assert.equal(wide.status, 400);
        assert.equal(wide.body.error, "invalid_scope");
        assertResponse("POST", "/oauth/token", 400, wide.body);
        const wrong = await token({ grant_type: "client_credentials", client_id: app.client_id, client_secret: "nope" });
        assert.equal(wrong.status, 401);
        assert.equal(wrong.body.error, "invalid_client");
        assert.match(wrong.body.error_description, /Client authentication failed/);
        const basic = Buffer.from(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`).toString("base64");
        const viaBasic = await t.request("POST", "/oauth/token", { form: { grant_type: "client_credentials" }, headers: { authorization: `Basic ${basic}` } });
        assert.equal(viaBasic.status, 200, viaBasic.text);
      });

      it("answers unknown or removed grant types as RFC 6749 says", async () => {
        const app = await registerApp(t);
        const password = await token({ grant_type: "password", client_id: app.client_id, client_secret: app.client_secret, username: "alice", password: alice.password });
        assert.equal(password.status, 400);
        assert.equal(password.body.error, "unsupported_grant_type");
        const none = await token({ client_id: app.client_id, client_secret: app.client_secret });
        assert.equal(none.status, 400);
        assert.equal(none.body.error, "invalid_request");
      });
    });

    describe("refresh, revocation and userinfo", () => {
      it("rotates refresh tokens: a new pair each time, the old access token dies at once, a refresh token works once", async () => {
        const app = await registerApp(t);
        const first = await userToken(app);
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: first.access_token })).status, 200);
        const body = { grant_type: "refresh_token", client_id: app.client_id, client_secret: app.client_secret, refresh_token: first.refresh_token };
        const refreshed = await token(body);
        assert.equal(refreshed.status, 200, refreshed.text);
        assertEntity("Token", refreshed.body);
        assert.notEqual(refreshed.body.access_token, first.access_token);
        assert.notEqual(refreshed.body.refresh_token, first.refresh_token);
        assert.equal(refreshed.body.scope, "read profile");
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: first.access_token })).status, 401);
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: refreshed.body.access_token })).status, 200);
        const reused = await token(body);
        assert.equal(reused.status, 400);
        assert.equal(reused.body.error, "invalid_grant");
        const narrowed = await token({ ...body, refresh_token: refreshed.body.refresh_token, scope: "profile" });
        assert.equal(narrowed.body.scope, "profile");
        const widened = await token({ ...body, refresh_token: narrowed.body.refresh_token, scope: "write" });
        assert.equal(widened.body.error, "invalid_scope");
      });

      it("revokes a token so that the next request is refused at once, and only for its own client", async () => {
        const app = await registerApp(t);
        const other = await registerApp(t);
        const issued = await userToken(app);
        assert.equal((await t.request("GET", "/oauth/userinfo", { token: issued.access_token })).status, 200, "resolved and cached");
        const stranger = await t.request("POST", "/oauth/revoke", { form: { client_id: other.client_id, client_secret: other.client_secret, token: issued.access_token } });
        assert.equal(stranger.status, 403);
        assert.equal(stranger.body.error, "unauthorized_client");
        assertResponse("POST", "/oauth/revoke", 403, stranger.body);
        const revoked = await t.request("POST", "/oauth/revoke", { form: { client_id: app.client_id, client_secret: app.client_secret, token: issued.access_token } });
        assert.equal(revoked.status, 200);
        assert.deepEqual(revoked.body, {});
        const after = await t.request("GET", "/oauth/userinfo", { token: issued.access_token });
        assert.equal(after.status, 401);
        assert.deepEqual(after.body, { error: "The access token is invalid" });
        const unknown = await t.request("POST", "/oauth/revoke", { json: { client_id: app.client_id, client_secret: app.client_secret, token: "never-issued" } });
        assert.equal(unknown.status, 200, "unknown tokens are a success (RFC 7009)");
        const twice = await t.request("POST", "/oauth/revoke", { json: { client_id: app.client_id, client_secret: app.client_secret, token: issued.access_token } });
        assert.equal(twice.status, 200);
      });

      it("answers userinfo with OIDC claims for the profile scope only", async () => {
        const app = await registerApp(t);
        const withProfile = await userToken(app, "profile");
        for (const method of ["GET", "POST"]) {
          const res = await t.request(method, "/oauth/userinfo", { token: withProfile.access_token });
          assert.equal(res.status, 200);
          assert.deepEqual(res.body, {
            iss: `${t.baseUrl}/`,
            sub: `${t.baseUrl}/users/alice`,
            name: "",
            preferred_username: "alice",
            profile: `${t.baseUrl}/@alice`,
            picture: `${t.baseUrl}/avatars/original/missing.png`,
          });
        }
        const readOnly = await userToken(app, "read");
        const refused = await t.request("GET", "/oauth/userinfo", { token: readOnly.access_token });
        assert.equal(refused.status, 403);
        assert.deepEqual(refused.body, { error: "This action is outside the authorized scopes" });
        const anon = await t.request("GET", "/oauth/userinfo");
        assert.equal(anon.status, 401);
        const appOnly = await t.request("GET", "/oauth/userinfo", { token: await clientToken(await registerApp(t, { scopes: "profile" }), "profile") });
        assert.equal(appOnly.status, 422, "an app token has no user");
      });

      it("publishes RFC 8414 metadata", async () => {
        const res = await t.request("GET", "/.well-known/oauth-authorization-server");
        assert.equal(res.status, 200);
        assertResponse("GET", "/.well-known/oauth-authorization-server", 200, res.body);
        assert.equal(res.body.issuer, `${t.baseUrl}/`);
        assert.equal(res.body.token_endpoint, `${t.baseUrl}/oauth/token`);
        assert.equal(res.body.app_registration_endpoint, `${t.baseUrl}/api/v1/apps`);
        assert.deepEqual(res.body.response_types_supported, ["code"]);
        assert.deepEqual(res.body.code_challenge_methods_supported, ["S256"]);
        assert.ok(res.body.scopes_supported.includes("profile") && res.body.scopes_supported.includes("admin:write:reports"));
        assert.ok(res.body.grant_types_supported.includes("client_credentials"));
      });

      it("lets browser clients on other origins call the token endpoint and the API (CORS, no credentials)", async () => {
        for (const path of ["/oauth/token", "/api/v1/apps"]) {
          const preflight = await t.request("OPTIONS", path, {
            headers: { origin: "https://elk.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" },
          });
          assert.equal(preflight.status, 204, path);
          assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
          assert.match(preflight.headers.get("access-control-allow-methods")!, /POST/);
          assert.equal(preflight.headers.get("access-control-allow-credentials"), null);
        }
        const app = await registerApp(t);
        const res = await t.request("POST", "/oauth/token", {
          json: { grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret },
          headers: { origin: "https://elk.example" },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("access-control-allow-origin"), "*");
      });
    });
  });
