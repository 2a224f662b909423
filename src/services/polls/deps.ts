import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";

/** What poll services use. */
export interface PollDeps {
  readonly db: Database;
  readonly clock: Clock;
}

/** Why a vote was refused (routes map each kind to Mastodon's status and message). */
export type PollError =
  | { readonly kind: "not_found" }
  /** The poll is visible, but the voter blocks its author (Mastodon's PollPolicy#vote?). */
  | { readonly kind: "forbidden" }
  | { readonly kind: "invalid"; readonly message: string };
