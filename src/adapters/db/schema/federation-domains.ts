import type { Int64, DefaultBool } from "./columns.ts";

/* Instance-wide moderation of remote domains (migration 0020). */

export interface DomainBlocksTable {
  id: Int64;
  /** Lower-case punycode, unique; `:port` only when the block names a port. */
  domain: string;
  /** silence, suspend or noop */
  severity: string;
  reject_media: DefaultBool;
  reject_reports: DefaultBool;
  obfuscate: DefaultBool;
  private_comment: string | null;
  public_comment: string | null;
  created_at: Int64;
  updated_at: Int64;
}

export interface DomainAllowsTable {
  id: Int64;
  domain: string;
  created_at: Int64;
}
