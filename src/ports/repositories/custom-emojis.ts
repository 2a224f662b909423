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

/** Custom emojis: the instance's own (from `herd admin emoji`) and, later, remote ones from federation. */
export interface CustomEmojisRepository {
  /** Adds a local emoji; false when the shortcode is taken. */
  createLocal(emoji: Omit<CustomEmojiRecord, "domain" | "disabled">): Promise<boolean>;
  /** Every local emoji, by shortcode (disabled ones included). */
  listLocal(): Promise<CustomEmojiRecord[]>;
  findLocal(shortcode: string): Promise<CustomEmojiRecord | null>;
  /** Removes a local emoji; the removed record, or null when there was none. */
  removeLocal(shortcode: string): Promise<CustomEmojiRecord | null>;
}
