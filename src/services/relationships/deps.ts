import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";

/** What relationship services use. */
export interface RelationshipDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

/** Why a relationship change was refused (routes map each kind to Mastodon's status and message). */
export type RelationshipError =
  | { readonly kind: "not_found" }
  | { readonly kind: "forbidden" }
  | { readonly kind: "invalid"; readonly message: string };
