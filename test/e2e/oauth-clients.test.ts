import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createOAuthAPIClient, createRestAPIClient } from "masto";
import megalodon from "megalodon";
import { listen, type RunningServer } from "../../src/app/http-server.ts";
import { authorize, Browser, pkcePair, redirectParams } from "../support/oauth-flow.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

const CALLBACK = "https://client.example/callback";
// megalodon is CommonJS: under Node's ESM loader its default export arrives as `.default` of the module object.
const generator = megalodon.default;

/**
 * Real client libraries (masto.js and megalodon, as apps use them) against Herd over HTTP: app registration,
 * the token exchange as each sends it (JSON bodies), app and account verification, refresh, revocation and
 * API sign-up. The person's part (sign in, consent) is driven through the pages.
 */
describe("OAuth with masto.js and megalodon over HTTP", () => {
  let t: TestApp;
  let server: RunningServer;
  let url: string;
  let alice: { password: string };

  before(async () => {
    t = await startTestApp("sqlite");
    server = await listen(t.app, "127.0.0.1", 0);
    url = `http://127.0.0.1:${server.port}`;
    alice = await t.user("alice");
  });
  after(async () => {
    await server?.close(2_000);
    await t?.close();
  });

  const code = async (clientId: string, scope: string) => {
    const res = await authorize(new Browser(t), { clientId, redirectUri: CALLBACK, scope }, { login: "alice", password: alice.password });
    return redirectParams(res).get("code")!;
  };

  it("masto.js registers an app, exchanges a code, verifies the app and revokes the token", async () => {
    const rest = createRestAPIClient({ url });
    const app = await rest.v1.apps.create({ clientName: "masto test", redirectUris: CALLBACK, scopes: "read write profile" });
    assert.ok(app.clientId && app.clientSecret);
    const oauth = createOAuthAPIClient({ url });
    const token = await oauth.token.create({
      grantType: "authorization_code", clientId: app.clientId!, clientSecret: app.clientSecret!,
      redirectUri: CALLBACK, code: await code(app.clientId!, "read write"), scope: "read write",
    });
    assert.equal(token.scope, "read write");
    const authed = createRestAPIClient({ url, accessToken: token.accessToken });
    const verified = await authed.v1.apps.verifyCredentials();
    assert.equal(verified.name, "masto test");
    const appToken = await oauth.token.create({ grantType: "client_credentials", clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: CALLBACK, scope: "read" });
    assert.equal((await createRestAPIClient({ url, accessToken: appToken.accessToken }).v1.apps.verifyCredentials()).name, "masto test");
    await oauth.revoke({ clientId: app.clientId!, clientSecret: app.clientSecret!, token: token.accessToken });
    // masto 8 rejects with the failed fetch Response itself.
    await assert.rejects(authed.v1.apps.verifyCredentials(), (e: { status?: number; statusCode?: number }) => (e.status ?? e.statusCode) === 401);
  });

  it("megalodon registers an app, fetches, refreshes and revokes tokens, and signs an account up", async () => {
    const anonymous = generator("mastodon", url);
    const app = await anonymous.registerApp("megalodon test", { scopes: ["read", "write", "profile"], redirect_uris: CALLBACK });
    assert.ok(app.client_id && app.client_secret);
    assert.match(app.url ?? "", /\/oauth\/authorize\?/);
    const token = await anonymous.fetchAccessToken(app.client_id, app.client_secret, await code(app.client_id, "read write"), CALLBACK);
    assert.equal(token.scope, "read write");
    const client = generator("mastodon", url, token.access_token);
    assert.equal((await client.verifyAppCredentials()).data.name, "megalodon test");
    await anonymous.revokeToken(app.client_id, app.client_secret, token.access_token);
    await assert.rejects(client.verifyAppCredentials());

    // megalodon drops refresh tokens from Mastodon's answer, so the code is exchanged by hand (a public client
    // with PKCE, form body) and megalodon refreshes.
    const { verifier, challenge } = pkcePair();
    const res = await authorize(new Browser(t), { clientId: app.client_id, redirectUri: CALLBACK, codeChallenge: challenge, codeChallengeMethod: "S256" }, { login: "alice", password: alice.password });
    const exchanged = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", client_id: app.client_id, redirect_uri: CALLBACK, code: redirectParams(res).get("code")!, code_verifier: verifier }),
    });
    assert.equal(exchanged.status, 200);
    const pair = (await exchanged.json()) as { access_token: string; refresh_token: string };
    const refreshed = await anonymous.refreshToken(app.client_id, app.client_secret, pair.refresh_token);
    assert.notEqual(refreshed.access_token, pair.access_token);
    await assert.rejects(generator("mastodon", url, pair.access_token).verifyAppCredentials());
    assert.equal((await generator("mastodon", url, refreshed.access_token).verifyAppCredentials()).status, 200);

    const appToken = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "write:accounts" }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const signUp = await generator("mastodon", url, appToken.access_token).registerAccount("megauser", "megauser@mail.example", "long enough password", true, "en");
    assert.equal(signUp.status, 200);
    assert.equal(typeof signUp.data.access_token, "string");
  });
});
