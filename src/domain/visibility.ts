import type { Visibility } from "./profile.ts";

export const VISIBILITIES: readonly Visibility[] = ["public", "unlisted", "private", "direct"];

/** Whether a string names a visibility. */
export function isVisibility(value: string): value is Visibility {
  return (VISIBILITIES as readonly string[]).includes(value);
}

/** How a signed-in viewer stands towards a status and its author. */
export interface ViewerFacts {
  readonly isAuthor: boolean;
  readonly followsAuthor: boolean;
  /** The status mentions the viewer. */
  readonly mentioned: boolean;
  /** The author blocks the viewer. */
  readonly blockedByAuthor: boolean;
  /** The viewer blocks the author. */
  readonly blocksAuthor: boolean;
  /** The viewer has blocked the author's domain (remote authors only). */
  readonly domainBlocksAuthor: boolean;
}

/**
 * Where the status is being shown. `direct`: asked for by id, or on the author's profile (Mastodon's
 * StatusPolicy#show? and AccountStatusesFilter): the viewer's own blocks do not hide it there, since they went
 * looking for it. `feed`: timelines, search results, notifications, where the viewer's blocks of the author (and
 * of the author's domain) also hide it.
 */
export type ViewContext = "direct" | "feed";

/**
 * The one visibility policy: may `viewer` (null = anonymous) see a status of `visibility`? Mastodon's rules:
 * nothing to accounts the author blocks; otherwise public and unlisted to everyone; private to the author, followers and mentioned
 * accounts; direct to the author and mentioned accounts. Every read path decides through this function (the
 * statuses repository renders it to SQL via visibleSets, so both stay one rule).
 */
export function canView(visibility: Visibility, viewer: ViewerFacts | null, context: ViewContext = "direct"): boolean {
  if (viewer === null) return visibility === "public" || visibility === "unlisted";
  if (viewer.isAuthor) return true;
  // Mastodon drops mentions of accounts the author blocks, so a blocked viewer is shut out of everything (and
  // the author's profile lists nothing for them, as AccountStatusesFilter answers Status.none).
  if (viewer.blockedByAuthor) return false;
  if (context === "feed" && (viewer.blocksAuthor || viewer.domainBlocksAuthor)) return false;
  switch (visibility) {
    case "direct":
      return viewer.mentioned;
    case "private":
      return viewer.followsAuthor || viewer.mentioned;
    case "public":
    case "unlisted":
      return true;
  }
}

/**
 * The policy for every status of one author at once, as SQL needs it: the facts that do not depend on the
 * status are fixed, so the visible statuses are those whose visibility is in `always`, plus those in
 * `ifMentioned` that mention the viewer. Derived by asking canView, never written out a second time.
 */
export function visibleSets(
  viewer: Omit<ViewerFacts, "mentioned"> | null,
  context: ViewContext = "direct",
): { always: Visibility[]; ifMentioned: Visibility[] } {
  const always = VISIBILITIES.filter((v) => canView(v, viewer && { ...viewer, mentioned: false }, context));
  const ifMentioned = viewer
    ? VISIBILITIES.filter((v) => !always.includes(v) && canView(v, { ...viewer, mentioned: true }, context))
    : [];
  return { always, ifMentioned };
}
