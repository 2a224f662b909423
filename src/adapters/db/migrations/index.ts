import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from "kysely/migration";
import type { DatabaseEngine } from "../../../ports/database.ts";
import { foundation } from "./0001-foundation.ts";
import { accounts } from "./0002-accounts.ts";
import { tokenGrants } from "./0003-token-grants.ts";
import { statuses } from "./0004-statuses.ts";
import { conversationIds } from "./0005-conversations.ts";
import { interactions } from "./0006-interactions.ts";
import { notifications } from "./0007-notifications.ts";
import { listsAndConversations } from "./0008-lists-conversations.ts";
import { tagsSearch } from "./0009-tags-search.ts";
import { filters } from "./0010-filters.ts";
import { pollsAndScheduled } from "./0011-polls-scheduled.ts";
import { instanceContent } from "./0012-instance-content.ts";
import { media } from "./0013-media.ts";
import { federationKeys } from "./0014-federation-keys.ts";
import { scheduledMedia } from "./0015-scheduled-media.ts";
import { mediaMigration } from "./0016-media-migration.ts";
import { remoteMedia } from "./0017-remote-media.ts";
import { followNotifyIndex } from "./0018-follow-notify-index.ts";
import { remoteActors } from "./0019-remote-actors.ts";
import { domainModeration } from "./0020-domain-moderation.ts";
import { deliveryState } from "./0021-delivery-state.ts";
import { reports } from "./0022-reports.ts";
import { remoteEmojis } from "./0023-remote-emojis.ts";
import { remoteFollowers } from "./0024-remote-followers.ts";
import { sqliteCoveringIndexes } from "./0025-sqlite-covering-indexes.ts";

/** Every migration, in order. Names sort lexically; never rename or edit one that has shipped. */
function all(engine: DatabaseEngine): Record<string, Migration> {
  return {
    "0001-foundation": foundation(engine),
    "0002-accounts": accounts(engine),
    "0003-token-grants": tokenGrants(),
    "0004-statuses": statuses(),
    "0005-conversations": conversationIds(),
    "0006-interactions": interactions(),
    "0007-notifications": notifications(),
    "0008-lists-conversations": listsAndConversations(),
    "0009-tags-search": tagsSearch(engine),
    "0010-filters": filters(),
    "0011-polls-scheduled": pollsAndScheduled(),
    "0012-instance-content": instanceContent(),
    "0013-media": media(),
    "0014-federation-keys": federationKeys(),
    "0015-scheduled-media": scheduledMedia(),
    "0016-media-migration": mediaMigration(),
    "0017-remote-media": remoteMedia(),
    "0018-follow-notify-index": followNotifyIndex(),
    "0019-remote-actors": remoteActors(),
    "0020-domain-moderation": domainModeration(),
    "0021-delivery-state": deliveryState(),
    "0022-reports": reports(),
    "0023-remote-emojis": remoteEmojis(),
    "0024-remote-followers": remoteFollowers(),
    "0025-sqlite-covering-indexes": sqliteCoveringIndexes(engine),
  };
}

class StaticProvider implements MigrationProvider {
  #engine: DatabaseEngine;
  constructor(engine: DatabaseEngine) {
    this.#engine = engine;
  }
  async getMigrations() {
    return all(this.#engine);
  }
}

export interface MigrationReport {
  readonly applied: string[];
  readonly pending: number;
}

/** Applies every pending migration; throws with the failing migration's name and cause. */
export async function migrateToLatest(db: Kysely<any>, engine: DatabaseEngine): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new StaticProvider(engine) });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { applied, pending: 0 };
}

/** Names of migrations not yet applied (for `herd doctor`). */
export async function pendingMigrations(db: Kysely<any>, engine: DatabaseEngine): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(engine) });
  const infos = await migrator.getMigrations();
  return infos.filter((m) => !m.executedAt).map((m) => m.name);
}
