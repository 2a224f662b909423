import { forgetAccounts } from "../../src/services/accounts/account-cache.ts";
import assert from "node:assert/strict";
import sharp from "sharp";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { assertEntity } from "./openapi.ts";
import type { TestApp, TestResponse } from "./test-app.ts";

/** The `max_id` (next) and `min_id`/`since_id` (prev) of a Link header; null when there is no header. */
export function pageLinks(link: string | null): { next: URL | null; prev: URL | null } | null {
  if (!link) return null;
  const find = (rel: string) => {
    const m = new RegExp(`<([^>]+)>;\\s*rel="${rel}"`).exec(link);
    return m ? new URL(m[1]) : null;
  };
  return { next: find("next"), prev: find("prev") };
}

/** Path and query of a Link URL, for TestApp.request. */
export function relative(url: URL): string {
  return url.pathname + url.search;
}

/** Asserts the status and, for errors, Mastodon's `{"error": …}` shape; returns the response. */
export function expectStatus(res: TestResponse, status: number, message?: string | RegExp): TestResponse {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  if (status >= 400) {
    assertEntity("Error", res.body);
    if (typeof message === "string") assert.equal(res.body.error, message);
    else if (message) assert.match(res.body.error, message);
  }
  return res;
}

/** Several confirmed users with full-scope tokens. */
export async function users(t: TestApp, names: readonly string[]): Promise<{ accountId: string; token: string }[]> {
  const out = [];
  for (const name of names) out.push(await t.user(name));
  return out;
}

/** A local account that has not confirmed its e-mail (invisible to others). */
export async function unconfirmedAccount(t: TestApp, username: string): Promise<string> {
  const created = await createAccount(t.container.jobDeps, {
    username, email: `${username}@example.com`, password: "correct horse battery", role: "user", confirmed: false, approved: true,
  });
  if (!created.ok) throw new Error(`could not create ${username}`);
  return String(created.value.account.accountId);
}

/** Suspends an account the way moderation will (a timestamp on the row). */
export async function suspend(t: TestApp, accountId: string): Promise<void> {
  await t.container.db.kysely.updateTable("accounts").set({ suspended_at: Date.now() }).where("id", "=", BigInt(accountId)).execute();
  // As every service that changes an account does after committing: cached renderings and records are dropped.
  await forgetAccounts(t.container.cache, [BigInt(accountId)]);
}

/** A remote account row, as federation will create them (tests only: there is no federation yet). */
export async function remoteAccount(t: TestApp, username: string, domain: string): Promise<string> {
  const id = await t.container.db.nextId();
  const now = Date.now();
  await t.container.db.kysely
    .insertInto("accounts")
    .values({
      id, username, username_lower: username.toLowerCase(), domain, display_name: username, note: "<p>remote</p>",
      locked: false, bot: false, created_at: now, updated_at: now, uri: `https://${domain}/users/${username}`, url: `https://${domain}/@${username}`,
    })
    .execute();
  return String(id);
}

/** A public status of a remote account, stored as an incoming one would be; returns its id. */
export async function remoteStatus(t: TestApp, accountId: string, text: string, uri: string, url = uri): Promise<bigint> {
  const id = await t.container.db.nextId();
  const now = Date.now();
  await t.container.db.kysely
    .insertInto("statuses")
    .values({ id, account_id: BigInt(accountId), text, visibility: "public", created_at: now, updated_at: now, conversation_id: id, uri, url })
    .execute();
  return id;
}

/** Makes `followerId` follow `targetId` directly in the database, counters included (as an accepted remote Follow). */
export async function insertFollow(t: TestApp, followerId: string, targetId: string): Promise<void> {
  await t.container.db.transaction(async (tx) => {
    await tx.relationships.follow({
      id: await tx.nextId(), accountId: BigInt(followerId), targetAccountId: BigInt(targetId),
      showReblogs: true, notify: false, languages: null, now: Date.now(),
    });
  });
}

/** followers_count/following_count as the API shows them, and as the rows say. */
export async function counts(t: TestApp, accountId: string): Promise<{ shown: { followers: number; following: number }; rows: { followers: number; following: number } }> {
  const res = await t.request("GET", `/api/v1/accounts/${accountId}`);
  const db = t.container.db.kysely;
  const id = BigInt(accountId);
  const followers = await db.selectFrom("follows").select((eb) => eb.fn.countAll().as("n")).where("target_account_id", "=", id).executeTakeFirstOrThrow();
  const following = await db.selectFrom("follows").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", id).executeTakeFirstOrThrow();
  return {
    shown: { followers: res.body.followers_count, following: res.body.following_count },
    rows: { followers: Number(followers.n), following: Number(following.n) },
  };
}

/**
 * An 800×600 JPEG whose left half is red and right half blue, with EXIF orientation 6 (shown rotated a quarter
 * turn clockwise, so red ends up on top), a camera make and GPS coordinates.
 */
export async function exifJpeg(): Promise<Buffer> {
  const red = await sharp({ create: { width: 400, height: 600, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 0, g: 0, b: 255 } } })
    .composite([{ input: red, left: 0, top: 0 }])
    .jpeg()
    .withExif({ IFD0: { Make: "HerdTestCam" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 24/1" } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const meta = await sharp(jpeg).metadata();
  assert.equal(meta.orientation, 6);
  assert.ok(meta.exif && meta.exif.toString("latin1").includes("HerdTestCam"));
  return jpeg;
}

/** The RGB of one pixel. */
export async function pixel(image: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * 3;
  return [data[at], data[at + 1], data[at + 2]];
}

/** Multipart form with one file. */
export function formWithFile(field: string, bytes: Buffer, type: string, name: string, extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), name);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  return form;
}

/** Fetches a URL the app serves (media or default pictures) as bytes. */
export async function download(t: TestApp, url: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const u = new URL(url);
  const res = await t.app.request(new URL(u.pathname + u.search, t.baseUrl).toString());
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get("content-type") };
}
