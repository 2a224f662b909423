/**
 * Seeds accounts, follows and statuses for the timeline and posting benchmarks. Tens of thousands of rows go
 * in through the repositories in large transactions (one password hash shared by every account, follows inserted
 * in batches), because seeding through the API would take longer than the measurement itself.
 */
import type { Container } from "../src/app/container.ts";
import { hashPassword } from "../src/services/auth/passwords.ts";

const BATCH = 500;

/** Creates `count` confirmed local accounts named `${prefix}${i}`; returns their ids in order. */
export async function seedAccounts(c: Container, prefix: string, count: number): Promise<bigint[]> {
  const passwordHash = await hashPassword("bench password 1234");
  const ids: bigint[] = [];
  for (let start = 0; start < count; start += BATCH) {
    await c.db.transaction(async (tx) => {
      for (let i = start; i < Math.min(count, start + BATCH); i++) {
        const accountId = await tx.nextId();
        const created = await tx.accounts.createLocal({
          accountId, userId: await tx.nextId(), username: `${prefix}${i}`, email: `${prefix}${i}@bench.example`,
          passwordHash, role: "user", confirmed: true, approved: true, now: c.clock.now(),
        });
        if (!created) throw new Error(`could not create ${prefix}${i}`);
        ids.push(accountId);
      }
    });
  }
  return ids;
}

/** Makes every `follower` follow `target` (or each target), with the counters the rows imply. */
export async function seedFollows(c: Container, pairs: readonly (readonly [follower: bigint, target: bigint])[]): Promise<void> {
  const k = c.db.kysely;
  const now = c.clock.now();
  for (let start = 0; start < pairs.length; start += BATCH) {
    const rows = [];
    for (const [follower, target] of pairs.slice(start, start + BATCH))
      rows.push({ id: await c.db.nextId(), account_id: follower, target_account_id: target, created_at: now });
    await k.insertInto("follows").values(rows).execute();
  }
  const following = new Map<bigint, number>();
  const followers = new Map<bigint, number>();
  for (const [a, b] of pairs) {
    following.set(a, (following.get(a) ?? 0) + 1);
    followers.set(b, (followers.get(b) ?? 0) + 1);
  }
  for (const [id, n] of following) await k.updateTable("accounts").set({ following_count: n }).where("id", "=", id).execute();
  for (const [id, n] of followers) await k.updateTable("accounts").set({ followers_count: n }).where("id", "=", id).execute();
}

/** Writes `count` public statuses spread round-robin over `authors`, oldest first (ids rise with time). */
export async function seedStatuses(c: Container, authors: readonly bigint[], count: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let start = 0; start < count; start += BATCH) {
    await c.db.transaction(async (tx) => {
      for (let i = start; i < Math.min(count, start + BATCH); i++) {
        const id = await tx.nextId();
        await tx.statuses.create({
          id, accountId: authors[i % authors.length], text: `Status number ${i} with a link https://example.com/${i} and some words`,
          spoilerText: "", visibility: "public", sensitive: false, language: "en", inReplyToId: null, inReplyToAccountId: null,
          applicationId: null, conversationId: id, now: c.clock.now(),
        });
        ids.push(id);
      }
    });
  }
  return ids;
}
