/** What each scope lets an app do, worded as Mastodon's authorization page words it. */
const DESCRIPTIONS: Record<string, string> = {
  read: "read all your account's data",
  "read:accounts": "see accounts information",
  "read:blocks": "see your blocks",
  "read:bookmarks": "see your bookmarks",
  "read:favourites": "see your favourites",
  "read:filters": "see your filters",
  "read:follows": "see your follows",
  "read:lists": "see your lists",
  "read:mutes": "see your mutes",
  "read:notifications": "see your notifications",
  "read:search": "search on your behalf",
  "read:statuses": "see all posts",
  write: "modify all your account's data",
  "write:accounts": "modify your profile",
  "write:blocks": "block accounts and domains",
  "write:bookmarks": "bookmark posts",
  "write:conversations": "mute and delete conversations",
  "write:favourites": "favourite posts",
  "write:filters": "create filters",
  "write:follows": "follow people",
  "write:lists": "create lists",
  "write:media": "upload media files",
  "write:mutes": "mute people and conversations",
  "write:notifications": "clear your notifications",
  "write:reports": "report other people",
  "write:statuses": "publish posts",
  follow: "modify account relationships",
  push: "receive your push notifications",
  profile: "read only your account's profile information",
  "admin:read": "read all data on the server",
  "admin:write": "modify all data on the server",
};

/** A human description of a scope; admin sub-scopes are described by their object. */
export function describeScope(scope: string): string {
  const known = DESCRIPTIONS[scope];
  if (known) return known;
  const admin = /^admin:(read|write):(.+)$/.exec(scope);
  if (admin) return `${admin[1] === "read" ? "read" : "perform moderation actions on"} ${admin[2].replace(/_/g, " ")} on the server`;
  return scope;
}
