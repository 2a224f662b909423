import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createOAuthAPIClient, createRestAPIClient } from "masto";
import megalodon from "megalodon";
import sharp from "sharp";
import { listen, type RunningServer } from "../../src/app/http-server.ts";
import { authorize, Browser, pkcePair, redirectParams } from "../support/oauth-flow.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

const CALLBACK = "https://client.example/callback";
// megalodon is CommonJS: under Node's ESM loader its default export arrives as `.default`.
const generator = megalodon.default;

/**
 * The whole everyday flow of issue 3 with real client libraries over HTTP: a person signs in through the HTML
 * form into an app using PKCE (masto.js), updates the profile with an avatar, follows a locked account whose
 * owner (megalodon) accepts the request, then blocks and mutes.
 */
describe("accounts and relationships with masto.js and megalodon over HTTP", () => {
  let t: TestApp;
  let server: RunningServer;
  let url: string;

  before(async () => {
    t = await startTestApp("sqlite");
    server = await listen(t.app, "127.0.0.1", 0);
    url = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server?.close(2_000);
    await t?.close();
  });

  /** Registers an app, signs `login` in through the pages with PKCE S256, and exchanges the code with masto. */
  async function signInWithMasto(login: string, password: string) {
    const rest = createRestAPIClient({ url });
    const app = await rest.v1.apps.create({ clientName: "e2e", redirectUris: CALLBACK, scopes: "read write follow profile" });
    const { verifier, challenge } = pkcePair();
    const res = await authorize(
      new Browser(t),
      { clientId: app.clientId!, redirectUri: CALLBACK, scope: "read write follow", codeChallenge: challenge, codeChallengeMethod: "S256" },
      { login, password },
    );
    const token = await createOAuthAPIClient({ url }).token.create({
      grantType: "authorization_code", clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: CALLBACK,
      code: redirectParams(res).get("code")!, scope: "read write follow",
      // masto's types predate PKCE; it sends whatever it is given, snake_cased.
      ...({ codeVerifier: verifier } as object),
    } as Parameters<ReturnType<typeof createOAuthAPIClient>["token"]["create"]>[0]);
    return createRestAPIClient({ url, accessToken: token.accessToken });
  }

  it("signs in with PKCE, sets an avatar, follows a locked account that accepts, then blocks and mutes", async () => {
    const alice = await t.user("alice");
    const bob = await t.user("bob");
    const carol = await t.user("carol");
    const masto = await signInWithMasto("alice", alice.password);
    const me = await masto.v1.accounts.verifyCredentials();
    assert.equal(me.username, "alice");

    // A 1200×800 JPEG: the avatar comes back as a 400×400 image at the URL the API gives.
    const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#3a7" } }).jpeg().toBuffer();
    const updated = await masto.v1.accounts.updateCredentials({
      displayName: "Alice A.", note: "Hello, I am #alice", avatar: new Blob([new Uint8Array(jpeg)], { type: "image/jpeg" }),
    });
    assert.equal(updated.displayName, "Alice A.");
    assert.equal(updated.source?.note, "Hello, I am #alice");
    // The URL names the instance's public host (herd.test); fetch its path from the server this test runs.
    const avatar = await fetch(new URL(new URL(updated.avatar).pathname, url));
    assert.equal(avatar.status, 200);
    const meta = await sharp(Buffer.from(await avatar.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [400, 400]);

    // Bob locks his account with megalodon; Alice's follow becomes a request he accepts.
    const bobClient = generator("mastodon", url, bob.token);
    assert.equal((await bobClient.updateCredentials({ locked: true })).data.locked, true);
    const requested = await masto.v1.accounts.$select(bob.accountId).follow();
    assert.equal(requested.requested, true);
    assert.equal(requested.following, false);
    const pending = await bobClient.getFollowRequests();
    assert.deepEqual(pending.data.map((a) => a.id), [me.id]);
    const accepted = await bobClient.acceptFollowRequest(me.id);
    assert.equal(accepted.data.followed_by, true);
    const [rel] = await masto.v1.accounts.relationships.fetch({ id: [bob.accountId] });
    assert.equal(rel.following, true);
    assert.equal((await masto.v1.accounts.$select(bob.accountId).fetch()).followersCount, 1);

    // Alice follows Carol, then blocks her: the follow is gone both ways; then Alice mutes Bob.
    const carolClient = generator("mastodon", url, carol.token);
    await carolClient.followAccount(me.id);
    await masto.v1.accounts.$select(carol.accountId).follow();
    const blocked = await masto.v1.accounts.$select(carol.accountId).block();
    assert.equal(blocked.blocking, true);
    assert.equal(blocked.following, false);
    assert.equal(blocked.followedBy, false);
    assert.equal((await carolClient.getRelationship(me.id)).data.blocked_by, true);
    await assert.rejects(carolClient.followAccount(me.id), "a blocked account cannot follow the blocker");

    const muted = await masto.v1.accounts.$select(bob.accountId).mute({ notifications: true });
    assert.equal(muted.muting, true);
    assert.equal(muted.mutingNotifications, true);
    const mutes = await masto.v1.mutes.list();
    assert.deepEqual(mutes.map((a) => a.id), [bob.accountId]);
    const blocks = await masto.v1.blocks.list();
    assert.deepEqual(blocks.map((a) => a.id), [carol.accountId]);
  });
});
