import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { AccountKeys } from "../../ports/repositories/account-keys.ts";

const generate = promisify(generateKeyPair);

export interface KeyDeps {
  readonly db: Database;
  readonly clock: Clock;
}

/** Generations under way in this process, so concurrent first requests for one actor share one key pair. */
const inFlight = new Map<bigint, Promise<AccountKeys>>();

/**
 * A fresh RSA-2048 pair (draft-cavage signatures) and Ed25519 pair (FEP-8b32 proofs), as PEM. Generated on
 * libuv's thread pool, so the event loop keeps serving while OpenSSL searches for primes.
 */
export async function generateActorKeys(accountId: bigint, now: number): Promise<AccountKeys> {
  const [rsa, ed] = await Promise.all([
    generate("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }),
    generate("ed25519", { publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }),
  ]);
  return {
    accountId,
    rsaPublicKey: rsa.publicKey,
    rsaPrivateKey: rsa.privateKey,
    ed25519PublicKey: ed.publicKey,
    ed25519PrivateKey: ed.privateKey,
    createdAt: now,
  };
}

/**
 * The actor's keys, generating and storing them when missing. Idempotent across processes: the row is inserted
 * only if absent and then read back, so whichever writer came first decides the keys everyone serves.
 */
export async function ensureActorKeys(deps: KeyDeps, accountId: bigint): Promise<AccountKeys> {
  const found = await deps.db.repos.accountKeys.find(accountId);
  if (found) return found;
  let pending = inFlight.get(accountId);
  if (!pending) {
    pending = (async () => {
      const keys = await generateActorKeys(accountId, deps.clock.now());
      await deps.db.repos.accountKeys.insertIfAbsent(keys);
      const stored = await deps.db.repos.accountKeys.find(accountId);
      if (!stored) throw new Error(`keys of account ${accountId} vanished after insert`);
      return stored;
    })().finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, pending);
  }
  return pending;
}
