/** An announcement as stored (the text is plain and rendered on output). */
export interface AnnouncementRecord {
  readonly id: bigint;
  readonly text: string;
  readonly startsAt: number | null;
  readonly endsAt: number | null;
  readonly allDay: boolean;
  readonly published: boolean;
  readonly publishedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One reaction name on an announcement: how many reacted with it, and whether the viewer did. */
export interface ReactionCount {
  readonly name: string;
  readonly count: number;
  readonly me: boolean;
  /** Set when `name` is a custom emoji's shortcode. */
  readonly customEmojiId: bigint | null;
}

/** Announcements, their reactions and the dismissals by each account. */
export interface AnnouncementsRepository {
  create(a: AnnouncementRecord): Promise<void>;
  findById(id: bigint): Promise<AnnouncementRecord | null>;
  /** Every announcement, oldest first (for the CLI). */
  listAll(): Promise<AnnouncementRecord[]>;
  /** Published announcements, oldest first; without those `dismissedBy` dismissed when given. */
  listPublished(dismissedBy: bigint | null): Promise<AnnouncementRecord[]>;
  /** Unpublishes; false when it was not published (or does not exist). */
  unpublish(id: bigint, now: number): Promise<boolean>;
  /** Which of `ids` `accountId` dismissed. */
  dismissedAmong(accountId: bigint, ids: readonly bigint[]): Promise<Set<bigint>>;
  /** Records a dismissal; dismissing twice is not an error. */
  dismiss(id: bigint, announcementId: bigint, accountId: bigint, now: number): Promise<void>;
  /** Reaction counts per announcement, in the order each name was first used; `viewerId` fills `me`. */
  reactionsOf(ids: readonly bigint[], viewerId: bigint | null): Promise<Map<bigint, ReactionCount[]>>;
  /** Distinct reaction names on an announcement. */
  reactionNames(announcementId: bigint): Promise<string[]>;
  /** Adds a reaction; false when the account had already reacted with that name. */
  addReaction(r: { id: bigint; announcementId: bigint; accountId: bigint; name: string; customEmojiId: bigint | null; now: number }): Promise<boolean>;
  removeReaction(announcementId: bigint, accountId: bigint, name: string): Promise<boolean>;
}
