import type { AccountKeysRepository } from "./account-keys.ts";
import type { AccountsRepository } from "./accounts.ts";
import type { AnnouncementsRepository } from "./announcements.ts";
import type { ConversationsRepository } from "./conversations.ts";
import type { CustomEmojisRepository } from "./custom-emojis.ts";
import type { DiscoveryRepository } from "./discovery.ts";
import type { InstanceRepository } from "./instance.ts";
import type { FiltersRepository } from "./filters.ts";
import type { InteractionsRepository } from "./interactions.ts";
import type { ListsRepository } from "./lists.ts";
import type { MediaRepository } from "./media.ts";
import type { NotificationsRepository } from "./notifications.ts";
import type { OAuthRepository } from "./oauth.ts";
import type { PollsRepository } from "./polls.ts";
import type { RelationshipsRepository } from "./relationships.ts";
import type { ScheduledStatusesRepository } from "./scheduled-statuses.ts";
import type { SessionsRepository } from "./sessions.ts";
import type { StatusesRepository } from "./statuses.ts";
import type { TagsRepository } from "./tags.ts";
import type { TimelinesRepository } from "./timelines.ts";
import type { UsersRepository } from "./users.ts";

/** Every repository, bound to one connection or transaction. Services reach the database only through these. */
export interface Repositories {
  readonly accounts: AccountsRepository;
  readonly accountKeys: AccountKeysRepository;
  readonly oauth: OAuthRepository;
  readonly relationships: RelationshipsRepository;
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  readonly statuses: StatusesRepository;
  readonly notifications: NotificationsRepository;
  readonly filters: FiltersRepository;
  readonly interactions: InteractionsRepository;
  readonly tags: TagsRepository;
  readonly instance: InstanceRepository;
  readonly customEmojis: CustomEmojisRepository;
  readonly announcements: AnnouncementsRepository;
  readonly discovery: DiscoveryRepository;
  readonly timelines: TimelinesRepository;
  readonly lists: ListsRepository;
  readonly conversations: ConversationsRepository;
  readonly polls: PollsRepository;
  readonly scheduledStatuses: ScheduledStatusesRepository;
  readonly media: MediaRepository;
}
