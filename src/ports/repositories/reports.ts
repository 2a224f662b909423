/** A report about an account (and some of its statuses), as moderators will review it. */
export interface ReportRecord {
  readonly id: bigint;
  /** The reporting account; null for a report from a remote instance (its instance actor). */
  readonly accountId: bigint | null;
  readonly targetAccountId: bigint;
  readonly statusIds: readonly bigint[];
  readonly comment: string;
  /** The Flag activity's id, for reports received through federation. */
  readonly uri: string | null;
  /** Whether it was forwarded to the target's server. */
  readonly forwarded: boolean;
  readonly createdAt: number;
}

export type NewReport = Omit<ReportRecord, "forwarded"> & { readonly forwarded?: boolean };

/** Reports received (Flag) and, later, made locally. */
export interface ReportsRepository {
  /** Inserts; false (and nothing written) when a report with the same uri exists. */
  create(report: NewReport): Promise<boolean>;
  findByUri(uri: string): Promise<ReportRecord | null>;
  /** Reports about an account, newest first, at most `limit`. */
  listByTarget(targetAccountId: bigint, limit: number): Promise<ReportRecord[]>;
}
