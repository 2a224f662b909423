import type { ViewerState } from "../../../ports/repositories/interactions.ts";
import { toId } from "./convert.ts";

type Id = bigint | string | number;

/**
 * The viewer-state query's branches, for runWithIds: `{0}` is the viewer, `{ids<n>}` the statuses and
 * `{ids<n+1>}` the conversations. Shared by the interactions repository (a page's state alone) and the
 * timelines one (a feed page's state with the viewer's standing, in one round trip). Row kinds start with "s"
 * so they cannot clash with the branches they are joined to.
 */
export function viewerStateSql(statusList: number, withConversations: boolean): string[] {
  const ids = `{ids${statusList === 0 ? "" : statusList}}`;
  const parts = [
    `select 'sf' as k, status_id as v from favourites where account_id = {0} and status_id ${ids}`,
    `select 'sb' as k, status_id as v from bookmarks where account_id = {0} and status_id ${ids}`,
    `select 'sr' as k, reblog_of_id as v from statuses where account_id = {0} and reblog_of_id ${ids} and deleted_at is null`,
    `select 'sp' as k, status_id as v from status_pins where account_id = {0} and status_id ${ids}`,
  ];
  if (withConversations) parts.push(`select 'sm' as k, conversation_id as v from conversation_mutes where account_id = {0} and conversation_id {ids${statusList + 1}}`);
  return parts;
}

/** An empty state to collect rows into. */
export function emptyViewerState(): { [K in keyof ViewerState]: Set<bigint> } {
  return { favourited: new Set(), bookmarked: new Set(), reblogged: new Set(), pinned: new Set(), mutedConversations: new Set() };
}

/** Adds a row of viewerStateSql's branches to `state`; false when the row is of another branch. */
export function collectViewerState(state: { [K in keyof ViewerState]: Set<bigint> }, k: string, v: Id): boolean {
  switch (k) {
    case "sf": state.favourited.add(toId(v)); return true;
    case "sb": state.bookmarked.add(toId(v)); return true;
    case "sr": state.reblogged.add(toId(v)); return true;
    case "sp": state.pinned.add(toId(v)); return true;
    case "sm": state.mutedConversations.add(toId(v)); return true;
    default: return false;
  }
}
