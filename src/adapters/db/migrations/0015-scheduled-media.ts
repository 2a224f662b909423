import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Media of scheduled statuses and of edit revisions. media_attachments.scheduled_status_id (as Mastodon's) marks
 * an upload a pending scheduled status will attach, so the day-old unattached cleanup spares it while that
 * scheduled row exists. status_edits keep, per revision, the ordered attachment ids (JSON array of strings) and
 * the poll's option titles (JSON array), as Mastodon's status_edits.ordered_media_attachment_ids and
 * poll_options; null when the revision had none.
 */
export function scheduledMedia(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("media_attachments").addColumn("scheduled_status_id", "bigint").execute();
      await db.schema.createIndex("media_attachments_scheduled_status_id").on("media_attachments").column("scheduled_status_id").execute();
      await db.schema.alterTable("status_edits").addColumn("media_attachment_ids", "text").execute();
      await db.schema.alterTable("status_edits").addColumn("poll_options", "text").execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable("status_edits").dropColumn("poll_options").execute();
      await db.schema.alterTable("status_edits").dropColumn("media_attachment_ids").execute();
      await db.schema.dropIndex("media_attachments_scheduled_status_id").execute();
      await db.schema.alterTable("media_attachments").dropColumn("scheduled_status_id").execute();
    },
  };
}
