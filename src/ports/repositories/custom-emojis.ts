/** A custom emoji as stored. */
export interface CustomEmojiRecord {
  readonly id: bigint;
  readonly shortcode: string;
  /** Null for this instance's own. */
  readonly domain: string | null;
  readonly imageKey: string;
  readonly staticKey: string;
  readonly category: string | null;
  readonly visibleInPicker: boolean;
  readonly disabled: boolean;
  readonly createdAt: number;
}

/** A custom emoji of another server, as its posts and profiles tag it: linked at its origin, never copied. */
export interface RemoteEmojiRecord {
  readonly id: bigint;
  readonly shortcode: string;
  /** The domain of the accounts that use it (accounts.domain). */
  readonly domain: string;
  /** The image at its origin (http or https). */
  readonly remoteUrl: string;
  /** The Emoji's ActivityPub id, when it had one. */
  readonly uri: string | null;
  readonly disabled: boolean;
  readonly updatedAt: number;
}

/** A remote emoji to store: the shortcode (without colons) and image URL, already checked. */
export interface RemoteEmojiWrite {
  readonly id: bigint;
  readonly shortcode: string;
  readonly remoteUrl: string;
  readonly uri: string | null;
}

/**
 * Custom emojis: the instance's own (from `herd admin emoji`) and remote ones from federation (by shortcode and
 * domain). The local methods never see remote rows, so remote emojis are neither listed nor usable in local text.
 */
export interface CustomEmojisRepository {
  /** Adds a local emoji; false when the shortcode is taken. */
  createLocal(emoji: Omit<CustomEmojiRecord, "domain" | "disabled">): Promise<boolean>;
  /** Every local emoji, by shortcode (disabled ones included). */
  listLocal(): Promise<CustomEmojiRecord[]>;
  findLocal(shortcode: string): Promise<CustomEmojiRecord | null>;
  /** Removes a local emoji; the removed record, or null when there was none. */
  removeLocal(shortcode: string): Promise<CustomEmojiRecord | null>;
  /**
   * Inserts remote emojis of `domain`, or updates the image URL and id of those stored already (by shortcode).
   * Ids of rows that exist are not used.
   */
  upsertRemote(domain: string, emojis: readonly RemoteEmojiWrite[], now: number): Promise<void>;
  /** The stored remote emojis among `shortcodes` of each domain (disabled ones included). */
  findRemote(wanted: ReadonlyMap<string, ReadonlySet<string>>): Promise<RemoteEmojiRecord[]>;
}
