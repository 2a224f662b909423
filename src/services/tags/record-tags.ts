import type { Visibility } from "../../domain/profile.ts";
import { distinctHashtags } from "../../domain/status-text.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import { indexStatusJob } from "../search/search-jobs.ts";
import { tagFollowerFeedsJob } from "./tag-jobs.ts";

/** What a status's tags and search entry depend on. */
export interface TaggedStatus {
  readonly id: bigint;
  readonly text: string;
  readonly visibility: Visibility;
}

async function recordTags(tx: Tx, status: TaggedStatus, now: number, replace: boolean): Promise<TagRecord[]> {
  const found = await tx.tags.findOrCreate(distinctHashtags(status.text), () => tx.nextId(), now);
  // A tag a moderator made unusable is not recorded, as Mastodon's ProcessHashtagsService skips it.
  const tags = found.filter((t) => t.usable !== false);
  const ids = tags.map((t) => t.id);
  const newId = () => tx.nextId();
  if (replace) await tx.tags.replaceStatusTags(status.id, ids, newId, now);
  else await tx.tags.addStatusTags(status.id, ids, newId, now);
  return tags;
}

/**
 * Call in the transaction that creates a status: records its hashtags (creating new tags). Its search entry and
 * its tags' followers' feeds are then the status's fan-out job's to fill (`index`, and `tagFeeds` as this
 * returns it: for a tagged public status). `tags`: the tags recorded, as the status's tags read back would be.
 */
export async function tagNewStatus(tx: Tx, status: TaggedStatus, now: number): Promise<{ tagFeeds: boolean; tags: TagRecord[] }> {
  const tags = await recordTags(tx, status, now, false);
  // In the order tags.tagsOf reads them back.
  tags.sort((a, b) => (a.nameLower < b.nameLower ? -1 : a.nameLower > b.nameLower ? 1 : 0));
  return { tagFeeds: tags.length > 0 && status.visibility === "public", tags };
}

/**
 * Call in the transaction that edits a status's text (edit-status): the status carries exactly the hashtags of
 * its new text, and its search entry is rebuilt.
 */
export async function retagEditedStatus(tx: Tx, status: TaggedStatus, now: number): Promise<void> {
  await recordTags(tx, status, now, true);
  await tx.enqueue([jobRequest(indexStatusJob, { statusId: String(status.id) })]);
}

/**
 * Call in the transaction that deletes a status: it leaves the search index and the feeds its tags put it in.
 * Its tag rows stay (the status row is only marked deleted), so the job still knows the tags.
 */
export async function untagDeletedStatus(tx: Tx, statusId: bigint): Promise<void> {
  await tx.enqueue([jobRequest(indexStatusJob, { statusId: String(statusId) }), jobRequest(tagFollowerFeedsJob, { statusId: String(statusId) })]);
}
