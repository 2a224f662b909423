import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Hono } from "hono";
import { HttpError } from "../../src/http/errors.ts";
import { requireActiveUser } from "../../src/http/middleware/active-user.ts";
import { authenticate, requireScope } from "../../src/http/middleware/auth.ts";
import { canPost, isUserActive, standingOf } from "../../src/services/auth/user-standing.ts";
import { hashSecret } from "../../src/services/auth/tokens.ts";
import { assertEntity, assertResponse } from "../support/openapi.ts";
import { Browser, freshAddress, linkInLatestMail, mailsTo, registerApp } from "../support/oauth-flow.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

/** An app token (client_credentials) allowed to sign people up, and the app's credentials. */
async function signUpApp(t: TestApp, scopes = "read write") {
  const app = await registerApp(t, { scopes });
  const res = await t.request("POST", "/oauth/token", {
    json: { grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "write:accounts" },
  });
  assert.equal(res.status, 200, res.text);
  return { app, token: res.body.access_token as string };
}

function signUp(t: TestApp, token: string, body: Record<string, unknown>, ip = freshAddress()) {
  return t.request("POST", "/api/v1/accounts", { token, json: body, headers: { "x-forwarded-for": ip } });
}

const valid = (name: string) => ({ username: name, email: `${name}@mail.example`, password: "long enough password", agreement: true, locale: "en" });

for (const v of appVariants)
  describe(`registration, confirmation and password reset (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name, { TRUSTED_PROXY_IP: "127.0.0.1" });
    });
    after(() => t?.close());

    it("signs up through the API: a token for the app at once, an unconfirmed user, a confirmation e-mail whose link confirms", async () => {
      const { app, token } = await signUpApp(t);
      const res = await signUp(t, token, valid("newbie"));
      assert.equal(res.status, 200, res.text);
      assertEntity("Token", res.body);
      assertResponse("POST", "/api/v1/accounts", 200, res.body);
      assert.equal(res.body.scope, "read write", "the app's scopes");
      const user = (await t.container.db.repos.users.findByLogin("newbie"))!.user;
      assert.equal(user.confirmedAt, null);
      assert.equal(user.approved, true);
      assert.equal(String(user.createdByApplicationId), app.id);
      assert.equal(user.locale, "en");
      assert.equal(isUserActive(user), false);
      assert.equal(canPost(user), false, "unconfirmed users cannot post");
      assert.equal(standingOf(user), "unconfirmed");
      const verified = await t.request("GET", "/api/v1/apps/verify_credentials", { token: res.body.access_token });
      assert.equal(verified.status, 200, "the returned token works before confirmation");

      const link = await linkInLatestMail(t, "newbie@mail.example", "/auth/confirmation");
      const stored = await t.container.db.kysely.selectFrom("users").select(["confirmation_token_hash", "sign_up_ip", "agreement_at"]).where("id", "=", user.id).executeTakeFirstOrThrow();
      const clear = new URL(link, t.baseUrl).searchParams.get("confirmation_token")!;
      assert.equal(stored.confirmation_token_hash, hashSecret(clear), "only the hash is stored");
      assert.notEqual(stored.agreement_at, null);
      assert.match(String(stored.sign_up_ip), /^198\.51\./);
      const page = await t.request("GET", link);
      assert.equal(page.status, 200);
      assert.match(page.text, /E-mail address confirmed/);
      assert.match(page.headers.get("content-security-policy")!, /default-src 'none'/);
      const confirmed = (await t.container.db.repos.users.findById(user.id))!;
      assert.notEqual(confirmed.confirmedAt, null);
      assert.equal(canPost(confirmed), true);
      assert.equal((await t.request("GET", link)).status, 404, "a link works once");
    });

    it("answers validation problems with 422, Mastodon's message and details", async () => {
      const { token } = await signUpApp(t);
      assert.equal((await signUp(t, token, valid("Taken_Name"))).status, 200);
      const res = await signUp(t, token, { username: "taken_name", email: "TAKEN_NAME@mail.example", password: "short", agreement: false });
      assert.equal(res.status, 422);
      assertResponse("POST", "/api/v1/accounts", 422, res.body);
      assert.deepEqual(res.body.details, {
        username: [{ error: "ERR_TAKEN", description: "has already been taken" }],
        email: [{ error: "ERR_TAKEN", description: "has already been taken" }],
        password: [{ error: "ERR_TOO_SHORT", description: "is too short (minimum is 8 characters)" }],
        agreement: [{ error: "ERR_ACCEPTED", description: "must be accepted" }],
      });
      assert.equal(
        res.body.error,
        "Validation failed: Username has already been taken, Email has already been taken, Password is too short (minimum is 8 characters), Agreement must be accepted",
      );
      const cases: [Record<string, unknown>, string, string][] = [
        [{ ...valid("x"), username: "bad name!" }, "username", "ERR_INVALID"],
        [{ ...valid("x"), username: "admin" }, "username", "ERR_RESERVED"],
        [{ ...valid("x"), username: "a".repeat(31) }, "username", "ERR_TOO_LONG"],
        [{ ...valid("x"), username: "" }, "username", "ERR_BLANK"],
        [{ ...valid("okname"), email: "not-an-email" }, "email", "ERR_INVALID"],
        [{ ...valid("okname"), password: "" }, "password", "ERR_BLANK"],
        [{ ...valid("okname"), locale: "not a locale" }, "locale", "ERR_INCLUSION"],
      ];
      for (const [body, field, code] of cases) {
        const bad = await signUp(t, token, body);
        assert.equal(bad.status, 422, JSON.stringify(body));
        assert.equal(bad.body.details[field]?.[0]?.error, code, JSON.stringify(bad.body));
      }
    });

    it("needs a token with write:accounts", async () => {
      const anon = await t.request("POST", "/api/v1/accounts", { json: valid("anon"), headers: { "x-forwarded-for": freshAddress() } });
      assert.equal(anon.status, 401);
      const app = await registerApp(t, { scopes: "read" });
      const readOnly = await t.request("POST", "/oauth/token", { json: { grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret } });
      const refused = await signUp(t, readOnly.body.access_token, valid("readonly"));
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.body, { error: "This action is outside the authorized scopes" });
    });

    it("resends the confirmation for the app that signed the user up, to a changed address if asked, and refuses once confirmed", async () => {
      const { token } = await signUpApp(t);
      const created = await signUp(t, token, valid("resender"));
      const userToken = created.body.access_token;
      await t.drain();
      const before = (await mailsTo(t, "resender@mail.example")).length;
      const again = await t.request("POST", "/api/v1/emails/confirmations", { token: userToken, json: {} });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body, {});
      assert.equal((await mailsTo(t, "resender@mail.example")).length, before + 1);

      const other = await signUpApp(t);
      const foreign = await signUp(t, other.token, valid("foreigner"));
      const ownApp = await t.request("POST", "/api/v1/emails/confirmations", { token: foreign.body.access_token, json: {} });
      assert.equal(ownApp.status, 200, "each app may for the users it signed up");
      const alice = await t.user("alice_resend");
      const notMine = await t.request("POST", "/api/v1/emails/confirmations", { token: alice.token, json: {} });
      assert.equal(notMine.status, 403);
      assert.equal(notMine.body.error, "This method is only available to the application the user originally signed-up with");

      const bad = await t.request("POST", "/api/v1/emails/confirmations", { token: userToken, json: { email: "nope" } });
      assert.equal(bad.status, 422);
      const changed = await t.request("POST", "/api/v1/emails/confirmations", { token: userToken, json: { email: "moved@mail.example" } });
      assert.equal(changed.status, 200);
      const link = await linkInLatestMail(t, "moved@mail.example", "/auth/confirmation");
      assert.equal((await t.request("GET", link)).status, 200);
      const user = (await t.container.db.repos.users.findByLogin("resender"))!.user;
      assert.equal(user.email, "moved@mail.example", "the new address replaces the old one once confirmed");
      const done = await t.request("POST", "/api/v1/emails/confirmations", { token: userToken, json: {} });
      assert.equal(done.status, 403);
      assert.equal(done.body.error, "This method is only available while the e-mail is awaiting confirmation");
      assertResponse("POST", "/api/v1/emails/confirmations", 403, done.body);
    });

    it("signs up through the web form, with CSRF, errors shown escaped, then check your e-mail", async () => {
      const browser = new Browser(t);
      const page = await browser.get("/auth/sign_up");
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /name="reason"/, "no reason asked in open mode");
      const noToken = await browser.request("POST", "/auth/sign_up", { ...valid("webby"), agreement: "1", password_confirmation: valid("webby").password, authenticity_token: "" });
      assert.equal(noToken.status, 403);
      const bad = await browser.submit(page.text, "/auth/sign_up", { username: "<b>x</b>", email: "webby@mail.example", password: "long enough password", password_confirmation: "different password" });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /Username must contain only letters, numbers and underscores/);
      assert.match(bad.text, /Password confirmation doesn&#39;t match Password/);
      assert.match(bad.text, /Agreement must be accepted/);
      assert.match(bad.text, /value="&lt;b&gt;x&lt;\/b&gt;"/, "the entered value comes back escaped");
      const ok = await browser.submit(bad.text, "/auth/sign_up", {
        username: "webby", password: "long enough password", password_confirmation: "long enough password", agreement: "1",
      });
      assert.equal(ok.status, 200, ok.text);
      assert.match(ok.text, /Check your e-mail/);
      const link = await linkInLatestMail(t, "webby@mail.example", "/auth/confirmation");
      assert.equal((await t.request("GET", link)).status, 200);
      const signIn = await new Browser(t).signIn("webby", "long enough password");
      assert.equal(signIn.status, 303);
    });

    it("lets an unconfirmed user sign in but not post, and refuses a disabled user", async () => {
      const { token } = await signUpApp(t);
      const created = await signUp(t, token, valid("pending_mail"));
      // A route that acts (as posting will) guards itself with requireActiveUser after its scope.
      const api = new Hono();
      api.onError((e, c) => c.json({ error: (e as HttpError).publicMessage }, (e as HttpError).status as 403));
      api.post("/act", authenticate(t.container.jobDeps) as never, requireScope("write:statuses") as never, requireActiveUser(t.container.jobDeps) as never, (c) => c.json({}));
      const act = (bearer: string) => api.request("/act", { method: "POST", headers: { authorization: `Bearer ${bearer}` } });
      const refused = await act(created.body.access_token);
      assert.equal(refused.status, 403);
      assert.deepEqual(await refused.json(), { error: "Your login is missing a confirmed e-mail address" });
      assert.equal((await act((await t.user("active_one")).token)).status, 200);
      const signedIn = await new Browser(t).signIn("pending_mail", "long enough password");
      assert.equal(signedIn.status, 303, "unconfirmed users may sign in");
      await t.user("disabled_one");
      const disabled = (await t.container.db.repos.accounts.findLocalByUsername("disabled_one"))!;
      await t.container.db.repos.accounts.updateLocal(disabled.accountId, { disabled: true, now: Date.now() });
      const disabledSignIn = await new Browser(t).signIn("disabled_one", "correct horse battery");
      assert.equal(disabledSignIn.status, 422);
      assert.match(disabledSignIn.text, /Your login is currently disabled/);
    });

    it("resets a forgotten password by e-mail: old tokens and sessions stop working at once", async () => {
      const carol = await t.user("carol");
      assert.equal((await t.request("GET", "/api/v1/apps/verify_credentials", { token: carol.token })).status, 200, "token resolved and cached");
      const elsewhere = new Browser(t);
      await elsewhere.signIn("carol", carol.password);
      assert.match((await elsewhere.get("/")).text, /Signed in as @carol/);

      const browser = new Browser(t);
      const form = await browser.get("/auth/password/new");
      const unknown = await browser.submit(form.text, "/auth/password", { email: "nobody@mail.example" });
      const known = await browser.submit(form.text, "/auth/password", { email: "carol@example.com" });
      assert.equal(unknown.status, 200);
      assert.equal(known.text.replace(/value="[^"]*"/g, ""), unknown.text.replace(/value="[^"]*"/g, ""), "same answer either way");
      assert.equal((await mailsTo(t, "nobody@mail.example")).length, 0);
      const link = await linkInLatestMail(t, "carol@example.com", "/auth/password/edit");
      const edit = await browser.get(link);
      assert.equal(edit.status, 200);
      const short = await browser.submit(edit.text, "/auth/password/edit", { password: "short", password_confirmation: "short" });
      assert.equal(short.status, 422);
      assert.match(short.text, /too short/);
      const done = await browser.submit(edit.text, "/auth/password/edit", { password: "a brand new password", password_confirmation: "a brand new password" });
      assert.equal(done.status, 200, done.text);
      assert.match(done.text, /Password changed/);

      const old = await t.request("GET", "/api/v1/apps/verify_credentials", { token: carol.token });
      assert.equal(old.status, 401, "tokens revoked and forgotten by the cache");
      assert.doesNotMatch((await elsewhere.get("/")).text, /Signed in as/, "other sessions ended");
      assert.equal((await browser.get(link)).status, 404, "the link works once");
      assert.equal((await new Browser(t).signIn("carol", carol.password)).status, 422, "old password refused");
      assert.equal((await new Browser(t).signIn("carol", "a brand new password")).status, 303);
    });

    it("limits API sign-ups to 5 per 30 minutes per address", async () => {
      const { token } = await signUpApp(t);
      const ip = freshAddress();
      for (let i = 0; i < 5; i++) {
        const res = await signUp(t, token, valid(`limited${i}`), ip);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get("x-ratelimit-limit"), "5");
      }
      const limited = await signUp(t, token, valid("limited5"), ip);
      assert.equal(limited.status, 429);
      assertResponse("POST", "/api/v1/accounts", 429, limited.body);
      assert.deepEqual(limited.body, { error: "Too many requests" });
      assert.equal(limited.headers.get("x-ratelimit-remaining"), "0");
      assert.match(limited.headers.get("x-ratelimit-reset")!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(await t.container.db.repos.users.findByLogin("limited5"), null);
      assert.equal((await signUp(t, token, valid("limited6"))).status, 200, "another address may");
    });

    it("limits failed sign-ins per login, whatever the address", async () => {
      await t.user("target");
      for (let i = 0; i < 25; i++) assert.equal((await new Browser(t).signIn("target", "wrong guess")).status, 422);
      const limited = await new Browser(t).signIn("target", "correct horse battery");
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("x-ratelimit-limit"), "25");
    });
  });

describe("registration modes", () => {
  it("approved: a reason is required, the account waits for approval and cannot sign in", async () => {
    const t = await startTestApp("sqlite", { REGISTRATIONS_MODE: "approved" });
    try {
      const { token } = await signUpApp(t);
      const missing = await signUp(t, token, valid("hopeful"));
      assert.equal(missing.status, 422);
      assert.deepEqual(missing.body.details.reason, [{ error: "ERR_BLANK", description: "can't be blank" }]);
      const res = await signUp(t, token, { ...valid("hopeful"), reason: "I like herds" });
      assert.equal(res.status, 200, res.text);
      assertEntity("Token", res.body);
      const user = (await t.container.db.repos.users.findByLogin("hopeful"))!.user;
      assert.equal(user.approved, false);
      assert.equal(standingOf(user), "pending");
      const row = await t.container.db.kysely.selectFrom("users").select("approval_reason").where("id", "=", user.id).executeTakeFirstOrThrow();
      assert.equal(row.approval_reason, "I like herds");
      const link = await linkInLatestMail(t, "hopeful@mail.example", "/auth/confirmation");
      assert.match((await t.request("GET", link)).text, /A moderator will review your account/);
      const signIn = await new Browser(t).signIn("hopeful", "long enough password");
      assert.equal(signIn.status, 422);
      assert.match(signIn.text, /waiting for approval/);
      const page = await t.request("GET", "/auth/sign_up");
      assert.match(page.text, /name="reason"/);
    } finally {
      await t.close();
    }
  });

  it("none: sign-ups are refused by the API and the page", async () => {
    const t = await startTestApp("sqlite", { REGISTRATIONS_MODE: "none" });
    try {
      const { token } = await signUpApp(t);
      const res = await signUp(t, token, valid("nobody"));
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, { error: "This action is not allowed" });
      assert.equal((await t.request("GET", "/auth/sign_up")).status, 403);
      assert.doesNotMatch((await t.request("GET", "/")).text, /Sign up/);
    } finally {
      await t.close();
    }
  });

  it("single user mode: / shows the owner's profile, escaped, and sign-ups are closed", async () => {
    const t = await startTestApp("sqlite", { SINGLE_USER_MODE: "true", REGISTRATIONS_MODE: "open" });
    try {
      const landing = await t.request("GET", "/");
      assert.equal(landing.status, 200, "a landing page before the owner exists");
      await t.user("owner", { role: "owner" });
      await t.container.db.kysely.updateTable("accounts")
        .set({ display_name: "The <Owner>", note: "Hello <script>alert(1)</script>\nsecond line" })
        .where("username", "=", "owner").execute();
      const page = await t.request("GET", "/");
      assert.equal(page.status, 200);
      assert.match(page.text, /<h1>The &lt;Owner&gt;<\/h1>/);
      assert.match(page.text, /@owner@herd\.test/);
      assert.match(page.text, /Hello &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.doesNotMatch(page.text, /<script>/);
      assert.match(page.headers.get("content-security-policy")!, /default-src 'none'/);
      const { token } = await signUpApp(t);
      assert.equal((await signUp(t, token, valid("second"))).status, 403);
    } finally {
      await t.close();
    }
  });
});
