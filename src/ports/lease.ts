/** Short exclusive claims with expiry: who fires a periodic job, who runs a one-at-a-time task. */
export interface LeaseStore {
  /** Takes the lease for `owner` when it is free or expired, or renews it when `owner` already holds it. */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  release(key: string, owner: string): Promise<void>;
  /** Deletes expired leases that the backend keeps until asked (a database table); returns how many. */
  purgeExpired(): Promise<number>;
}
