import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Feeds } from "../../ports/feeds.ts";

/** What timeline services use (routes and job handlers both have these). */
export interface TimelineDeps {
  readonly db: Database;
  readonly feeds: Feeds;
  readonly clock: Clock;
}

/** The Feeds key of an account's home feed. */
export const homeKey = (accountId: bigint): string => `home:${accountId}`;
/** The Feeds key of a list's feed. */
export const listKey = (listId: bigint): string => `list:${listId}`;
