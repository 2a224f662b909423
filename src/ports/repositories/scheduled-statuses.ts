/** The poll of a scheduled status, as the client gave it (it starts when the status is published). */
export interface ScheduledPollParams {
  readonly options: readonly string[];
  readonly expires_in: number;
  readonly multiple: boolean;
  readonly hide_totals: boolean;
}

/**
 * What a scheduled status will be posted with: Mastodon's ScheduledStatus.params, key for key (so the entity
 * shows them as they are). Ids are decimal strings here; the serializer renders them as Mastodon does.
 */
export interface ScheduledStatusParams {
  readonly text: string;
  readonly spoiler_text: string | null;
  readonly sensitive: boolean | null;
  readonly visibility: string;
  readonly language: string | null;
  readonly in_reply_to_id: string | null;
  readonly media_ids: readonly string[] | null;
  readonly poll: ScheduledPollParams | null;
  readonly application_id: string | null;
}

export interface ScheduledStatusRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  /** ms since the epoch. */
  readonly scheduledAt: number;
  readonly params: ScheduledStatusParams;
  readonly createdAt: number;
}

export interface ScheduledStatusesQuery {
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
}

/** Statuses waiting to be published at their time. */
export interface ScheduledStatusesRepository {
  create(input: { id: bigint; accountId: bigint; scheduledAt: number; params: ScheduledStatusParams; now: number }): Promise<void>;
  findById(id: bigint): Promise<ScheduledStatusRecord | null>;
  /** A page of one account's scheduled statuses, newest id first (min_id pages forward). */
  listByAccount(accountId: bigint, query: ScheduledStatusesQuery): Promise<ScheduledStatusRecord[]>;
  /** How many `accountId` has waiting, all told and (with `between`) scheduled within [from, to). */
  countByAccount(accountId: bigint, between?: { from: number; to: number }): Promise<number>;
  /** Moves the publishing time; false when the row is gone. */
  reschedule(id: bigint, scheduledAt: number): Promise<boolean>;
  /**
   * Deletes the row; with `dueBy`, only if it is scheduled at or before that time. True for the one caller
   * that deleted it, so two publishers racing over one row cannot both publish.
   */
  delete(id: bigint, dueBy?: number): Promise<boolean>;
  /** Ids of rows due at `now`, earliest first. */
  due(now: number, limit: number): Promise<bigint[]>;
}
