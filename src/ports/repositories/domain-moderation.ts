/** How hard an instance-wide domain block bites, with Mastodon's names. */
export const DOMAIN_BLOCK_SEVERITIES = ["silence", "suspend", "noop"] as const;
export type DomainBlockSeverity = (typeof DOMAIN_BLOCK_SEVERITIES)[number];

/** An instance-wide block of a remote domain and everything under it (`herd admin domains block`). */
export interface DomainBlockRecord {
  readonly id: bigint;
  /** Lower-case, punycode; with `:port` when the block names one. */
  readonly domain: string;
  readonly severity: DomainBlockSeverity;
  readonly rejectMedia: boolean;
  readonly rejectReports: boolean;
  /** Publish the domain partly starred out (the digest still identifies it). */
  readonly obfuscate: boolean;
  /** For the moderators only. */
  readonly privateComment: string | null;
  /** Shown with the block on /api/v1/instance/domain_blocks. */
  readonly publicComment: string | null;
  /**
   * Also the mark put on the accounts it suspended or silenced (accounts.suspended_at / silenced_at), so lifting
   * the block lifts exactly what it set, as Mastodon does.
   */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A domain federation is allowed with when LIMITED_FEDERATION_MODE is on. */
export interface DomainAllowRecord {
  readonly id: bigint;
  readonly domain: string;
  readonly createdAt: number;
}

/** Which account column a domain block sets. */
export type DomainAccountMark = "suspended" | "silenced";

/** Domain blocks and allows, and their effect on the remote accounts of a domain. */
export interface DomainModerationRepository {
  /** The block on exactly this domain. */
  findBlock(domain: string): Promise<DomainBlockRecord | null>;
  /** The blocks whose domain is one of `domains` (exact matches; the caller lists the parent domains). */
  blocksAmong(domains: readonly string[]): Promise<DomainBlockRecord[]>;
  /** Every block, by domain. */
  listBlocks(): Promise<DomainBlockRecord[]>;
  /** Inserts the block, or replaces every field but id and createdAt of the block on the same domain. */
  saveBlock(block: DomainBlockRecord): Promise<void>;
  /** Removes the block on exactly this domain; false when there was none. */
  removeBlock(domain: string): Promise<boolean>;

  /** Which of `domains` are allowed (exact matches). */
  allowsAmong(domains: readonly string[]): Promise<string[]>;
  /** Every allow, by domain. */
  listAllows(): Promise<DomainAllowRecord[]>;
  /** Adds the allow; false when the domain was already allowed. */
  addAllow(allow: DomainAllowRecord): Promise<boolean>;
  /** Removes the allow; false when there was none. */
  removeAllow(domain: string): Promise<boolean>;

  /**
   * Sets `mark` to `at` on the remote accounts of `domain` and its subdomains (any port, unless `domain` names
   * one) that do not carry the mark yet; returns their ids.
   */
  markDomainAccounts(domain: string, mark: DomainAccountMark, at: number): Promise<bigint[]>;
  /** Clears `mark` on those accounts where it is exactly `at` (set by the block of that time); returns their ids. */
  clearDomainAccountMarks(domain: string, mark: DomainAccountMark, at: number): Promise<bigint[]>;
}
