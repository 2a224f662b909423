/** An actor's key pairs as PEM: SPKI public keys, PKCS#8 private keys. */
export interface AccountKeys {
  readonly accountId: bigint;
  readonly rsaPublicKey: string;
  readonly rsaPrivateKey: string;
  readonly ed25519PublicKey: string;
  readonly ed25519PrivateKey: string;
  readonly createdAt: number;
}

/** The account id under which the instance actor's keys are stored (it has no accounts row). */
export const INSTANCE_ACTOR_KEY_ID = 0n;

/** Actors' signing keys. Private keys never leave the database except to sign. */
export interface AccountKeysRepository {
  /** The keys of an account (or INSTANCE_ACTOR_KEY_ID), or null when none were generated yet. */
  find(accountId: bigint): Promise<AccountKeys | null>;
  /** Stores keys unless the account already has some; false when it had (the first writer wins). */
  insertIfAbsent(keys: AccountKeys): Promise<boolean>;
}
