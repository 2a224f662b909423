import type { RemoteResolver } from "../../ports/remote-resolver.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";

/** What status services use. */
export interface StatusDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  /** The instance's domain: `@user@localDomain` mentions a local account. */
  readonly localDomain: string;
  /** The longest text plus content warning a status may have (MAX_TOOT_CHARS). */
  readonly maxStatusChars: number;
  /** Looks up `@user@host` mentions of accounts not yet known here (WebFinger); absent: they stay plain text. */
  readonly resolver?: RemoteResolver;
}

/** Why a status change was refused (routes map each kind to Mastodon's status and message). */
export type StatusError =
  | { readonly kind: "not_found" }
  /** Visible, but the account may not do this to it (Mastodon's NotPermittedError). */
  | { readonly kind: "forbidden" }
  | { readonly kind: "conflict"; readonly message: string }
  | { readonly kind: "invalid"; readonly message: string };
