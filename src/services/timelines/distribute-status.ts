import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import { notifyStatusFollowers } from "../notifications/status-notifications.ts";
import { refreshSearchEntry, type SearchIndexDeps } from "../search/index-status.ts";
import { publishConversation, publishFeedInserts, publishFeedRemovals, publishPublicStatus, type PublicStreamDeps } from "../streaming/publish.ts";
import { pushToTagFollowers } from "../tags/tag-feeds.ts";
import type { TimelineDeps } from "./deps.ts";
import { fanOutStatus } from "./fan-out.ts";
import type { FanOutExtras } from "./feed-jobs.ts";

/** What distributing a status needs: the feeds, the search index and the streaming pub/sub. */
export interface DistributeDeps extends TimelineDeps, SearchIndexDeps, PublicStreamDeps {}

/**
 * A new status as the transaction that created it left it, handed to distribution so that it need not read the
 * rows back. Only for a status (not a boost) whose creator holds every part of it.
 */
export interface CreatedStatus {
  readonly status: StatusRecord;
  readonly author: AccountRecord;
  /** Accounts the status mentions. */
  readonly mentioned: readonly bigint[];
  /** The hashtags recorded for it. */
  readonly tags: readonly TagRecord[];
}

/**
 * Everything a new status or boost sets off once stored, as Mastodon's FanOutOnWriteService: the home and list
 * feeds of everyone who should see it, the streaming events for them and for the public and hashtag streams,
 * and the extras named (search entry, tag followers' feeds, bell notifications). Every step is idempotent, so
 * running it again after a failure only repeats work already done (and its streaming events).
 */
export async function distributeStatus(deps: DistributeDeps, statusId: bigint, extras: FanOutExtras, created?: CreatedStatus): Promise<void> {
  const known = created && created.status.id === statusId && created.status.reblogOfId === null ? created : undefined;
  const placed = await fanOutStatus(deps, statusId, known);
  if (placed) {
    // Streaming events after the feeds hold the status, so a client that refetches on the event finds it.
    await publishFeedInserts(deps, placed.status.id, placed);
    await publishPublicStatus(deps, placed.status, { author: placed.author, ...(known ? { tags: known.tags } : {}) });
    if (placed.status.visibility === "direct" && placed.status.reblogOfId === null && placed.status.conversationId !== null)
      await publishConversation(deps, [placed.status.accountId, ...placed.mentioned], placed.status.conversationId, placed.status.id);
  }
  // A status fan-out skipped (its author suspended meanwhile, the status deleted) still gets its search entry
  // brought up to date: removed, or written for a later unsuspension.
  if (extras.index) await refreshSearchEntry(deps, statusId, placed?.status);
  if (!placed) return;
  if (extras.tagFeeds) {
    const { pushed, removed } = await pushToTagFollowers(deps, statusId, known?.tags);
    await publishFeedInserts(deps, statusId, { homes: pushed, lists: [] });
    await publishFeedRemovals(deps, statusId, { homes: removed, lists: [] });
  }
  // The fan-out read every local follower: most authors have none who rings the bell, and need no look for them.
  if (extras.notifyFollowers && placed.bellFollowers) await notifyStatusFollowers(deps, statusId, placed);
}
