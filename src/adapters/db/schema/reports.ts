import type { Bool, Int64, NullableInt64 } from "./columns.ts";

/** Reports (Mastodon's reports): what a remote server's Flag told about local accounts and statuses. */
export interface ReportsTable {
  id: Int64;
  /** The reporting account; null when the report came from a remote instance (its actor is not an account). */
  account_id: NullableInt64;
  target_account_id: Int64;
  /** JSON array of the reported status ids (strings). */
  status_ids: string;
  comment: string;
  /** The Flag activity's id: a repeated delivery finds the report already there. */
  uri: string | null;
  /** Whether the report was forwarded to the target's server (always false for reports received). */
  forwarded: Bool;
  created_at: Int64;
}
