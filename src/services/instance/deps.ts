import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";

/** What instance services use. */
export interface InstanceDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}
