/** OAuth scopes as Mastodon 4.5 defines them (api/oauth-scopes.md): top-level scopes and their granular parts. */
const GRANULAR: Record<string, readonly string[]> = {
  read: [
    "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters", "read:follows",
    "read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses",
  ],
  write: [
    "write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites",
    "write:filters", "write:follows", "write:lists", "write:media", "write:mutes", "write:notifications",
    "write:reports", "write:statuses",
  ],
  "admin:read": [
    "admin:read:accounts", "admin:read:reports", "admin:read:domain_allows", "admin:read:domain_blocks",
    "admin:read:ip_blocks", "admin:read:email_domain_blocks", "admin:read:canonical_email_blocks",
  ],
  "admin:write": [
    "admin:write:accounts", "admin:write:reports", "admin:write:domain_allows", "admin:write:domain_blocks",
    "admin:write:ip_blocks", "admin:write:email_domain_blocks", "admin:write:canonical_email_blocks",
  ],
};

/** `follow` is deprecated in Mastodon but still granted: it stands for these. */
const FOLLOW = ["read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes"];

export const ALL_SCOPES: ReadonlySet<string> = new Set([
  "read", "write", "follow", "push", "profile", "admin:read", "admin:write",
  ...Object.values(GRANULAR).flat(),
]);

/** Splits a space- or plus-separated scope string; null when a scope is unknown. */
export function parseScopes(text: string): string[] | null {
  const scopes = [...new Set(text.split(/[\s+]+/).filter(Boolean))];
  return scopes.every((s) => ALL_SCOPES.has(s)) ? scopes : null;
}

/** True when the granted scopes include `required` itself or the top-level scope that contains it. */
export function scopeAllows(granted: readonly string[], required: string): boolean {
  if (granted.includes(required)) return true;
  for (const g of granted) {
    if (GRANULAR[g]?.includes(required)) return true;
    if (g === "follow" && FOLLOW.includes(required)) return true;
  }
  return false;
}
