import type { ColumnType } from "kysely";
import type { Int64, NullableInt64, DefaultBool, DefaultText } from "./columns.ts";

/* Instance settings and rules, custom emojis, announcements, media attachments and the media migration log. */

export interface InstanceSettingsTable {
  key: string;
  value: string;
  updated_at: Int64;
}

export interface InstanceRulesTable {
  id: Int64;
  text: string;
  hint: DefaultText;
  created_at: Int64;
}

export interface CustomEmojisTable {
  id: Int64;
  shortcode: string;
  /** Null for this instance's own emojis. */
  domain: string | null;
  image_key: string;
  /** A PNG of the first frame (static_url). */
  static_key: string;
  category: string | null;
  visible_in_picker: DefaultBool;
  disabled: DefaultBool;
  created_at: Int64;
  updated_at: Int64;
  /** Remote emojis only: the image at its origin, and the Emoji's ActivityPub id (0023). */
  image_remote_url: string | null;
  uri: string | null;
}

export interface AnnouncementsTable {
  id: Int64;
  text: string;
  starts_at: NullableInt64;
  ends_at: NullableInt64;
  all_day: DefaultBool;
  published: DefaultBool;
  published_at: NullableInt64;
  created_at: Int64;
  updated_at: Int64;
}

export interface AnnouncementReactionsTable {
  id: Int64;
  announcement_id: Int64;
  account_id: Int64;
  /** A unicode emoji or a custom emoji's shortcode. */
  name: string;
  custom_emoji_id: NullableInt64;
  created_at: Int64;
}

/** Announcements an account dismissed (Mastodon's announcement_mutes). */
export interface AnnouncementMutesTable {
  id: Int64;
  announcement_id: Int64;
  account_id: Int64;
  created_at: Int64;
}

export interface MediaAttachmentsTable {
  id: Int64;
  account_id: Int64;
  status_id: NullableInt64;
  /** image, gifv, video, audio or unknown. */
  type: string;
  /** queued, in_progress, complete or failed. */
  processing: string;
  processing_error: string | null;
  /** MediaStore key of the raw upload while a job has yet to process it. */
  upload_key: string | null;
  file_key: string | null;
  file_content_type: string | null;
  file_size: NullableInt64;
  small_key: string | null;
  /** A custom thumbnail (audio and video only), shown instead of the small preview. */
  thumbnail_key: string | null;
  /** JSON: Mastodon's `meta` (original, small, focus, and for audio/video length, duration, fps, …). */
  meta: string;
  description: string | null;
  blurhash: string | null;
  created_at: Int64;
  updated_at: Int64;
  /** The pending scheduled status that will attach it (migration 0015); the unattached cleanup spares it. */
  scheduled_status_id: NullableInt64;
  /** The file on the origin server for a remote attachment (migration 0017); null for local uploads. */
  remote_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the remote cache was last filled or viewed (migration 0017): the retention cleanup goes by it. */
  last_used_at: ColumnType<bigint | string | null, bigint | string | number | null | undefined, bigint | string | number | null>;
}

/** Progress of `herd admin media migrate`, per media key (migration 0016). */
export interface MediaMigrationKeysTable {
  key: string;
  destination: string;
  /** copied, present, missing or failed. */
  outcome: string;
  size: NullableInt64;
  updated_at: Int64;
}
