/** One server rule, as `herd admin rules` manages them. */
export interface RuleRecord {
  readonly id: bigint;
  readonly text: string;
  readonly hint: string;
  readonly createdAt: number;
}

/** A stored instance setting: its value and when it was last changed. */
export interface SettingRecord {
  readonly value: string;
  readonly updatedAt: number;
}

/** The counts the instance entities show. */
export interface InstanceCounts {
  /** Local accounts with a confirmed, approved user (Mastodon's user_count). */
  readonly users: number;
  /** Local statuses that are not deleted. */
  readonly statuses: number;
  /** Distinct remote domains among known accounts. */
  readonly domains: number;
  /** Local users who signed in or posted since `activeSince`. */
  readonly activeUsers: number;
}

/** Counts of one week, for /api/v1/instance/activity. */
export interface WeekActivity {
  readonly weekStart: number;
  readonly statuses: number;
  readonly logins: number;
  readonly registrations: number;
}

/** Instance settings (key/value), server rules and instance-wide statistics. */
export interface InstanceRepository {
  /** Every stored setting by key. */
  settings(): Promise<Map<string, SettingRecord>>;
  /** Stores a setting; `value` null removes it. */
  setSetting(key: string, value: string | null, now: number): Promise<void>;

  /** Rules in the order they were added. */
  listRules(): Promise<RuleRecord[]>;
  addRule(rule: RuleRecord): Promise<void>;
  /** Removes a rule; false when there was none with that id. */
  removeRule(id: bigint): Promise<boolean>;

  /** User, status and domain counts, and users active since `activeSince` (ms). */
  counts(activeSince: number): Promise<InstanceCounts>;
  /** The oldest enabled owner's account, else the oldest enabled admin's; null when there is neither. */
  firstStaffAccount(): Promise<bigint | null>;
  /** Distinct domains of remote accounts, sorted. */
  peers(): Promise<string[]>;
  /**
   * Local statuses, sign-ins and registrations per week for the weeks starting at `weekStarts` (ms, ascending,
   * each seven days long). Sign-ins are counted from each user's latest sign-in: a user who signed in again since
   * counts only in the week of the later sign-in.
   */
  weeklyActivity(weekStarts: readonly number[]): Promise<WeekActivity[]>;
}
