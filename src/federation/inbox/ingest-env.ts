import type { DocumentLoader } from "@fedify/fedify";
import type { Visibility } from "../../domain/profile.ts";
import type { RemoteStatusInput } from "../../services/federation/inbound-statuses.ts";
import type { Logger } from "../../ports/logger.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";

/** A remote post as the inbound services take it (the translation of a Note, Question, Article or Page). */
export type { RemoteMediaInput, RemotePollInput, RemoteStatusInput } from "../../services/federation/inbound-statuses.ts";

/**
 * The inbound services (src/services/federation/inbound-*.ts) with their dependencies bound: what the translation
 * of an activity calls. An interface here so the translation can be tested without a database.
 */
export interface Inbound {
  receiveFollow(input: { followerId: bigint; targetId: bigint; followUri: string | null }): Promise<unknown>;
  receiveAccept(input: { localFollowerId: bigint; remoteTargetId: bigint }): Promise<unknown>;
  receiveReject(input: { localFollowerId: bigint; remoteTargetId: bigint }): Promise<unknown>;
  receiveUndoFollow(input: { followerId: bigint; targetId: bigint }): Promise<unknown>;
  receiveStatus(input: RemoteStatusInput): Promise<{ statusId: bigint; created: boolean } | null>;
  receiveStatusUpdate(input: RemoteStatusInput): Promise<unknown>;
  receiveDeleteStatus(input: { actorId: bigint; uri: string }): Promise<unknown>;
  receiveLike(input: { accountId: bigint; statusId: bigint }): Promise<unknown>;
  receiveUndoLike(input: { accountId: bigint; statusId: bigint }): Promise<unknown>;
  receiveAnnounce(input: { accountId: bigint; statusId: bigint; uri: string; createdAt: number; visibility: Visibility }): Promise<unknown>;
  receiveUndoAnnounce(input: { accountId: bigint; uri: string }): Promise<unknown>;
  receiveBlock(input: { accountId: bigint; targetId: bigint }): Promise<unknown>;
  receiveUndoBlock(input: { accountId: bigint; targetId: bigint }): Promise<unknown>;
  receiveActorDeleted(input: { accountId: bigint }): Promise<unknown>;
  /** `reporterId`: the Flag's actor (usually the remote instance's actor). */
  receiveFlag(input: { targetAccountId: bigint; statusIds: readonly bigint[]; comment: string; uri: string | null; reporterId: bigint | null }): Promise<unknown>;
  receiveMove(input: { accountId: bigint; targetId: bigint }): Promise<unknown>;
  receiveVote(input: { accountId: bigint; statusId: bigint; choiceTitles: readonly string[] }): Promise<unknown>;
  receiveFeatured(input: { accountId: bigint; statusId: bigint; featured: boolean }): Promise<unknown>;
}

/** How the translation finds what an activity names. */
export interface Lookup {
  /** A remote actor, fetched and stored when unknown or stale (null when not an actor, refused or unreachable). */
  remoteActor(uri: URL, options?: { refresh?: boolean }): Promise<AccountRecord | null>;
  /** A remote account already stored, by actor id, without fetching (for an actor that is gone). */
  knownRemoteActor(uri: URL): Promise<AccountRecord | null>;
  /** A local account named by its actor (or profile) URL on this instance's base. */
  localAccount(uri: URL): Promise<AccountRecord | null>;
  /** A status by its id: a local one by its URL on this base, a remote one by its stored uri. Not deleted ones. */
  status(uri: URL): Promise<StatusRecord | null>;
  /** The followers collection a remote account declared, when known (it decides followers-only addressing). */
  followers(account: AccountRecord): Promise<string | null>;
  /** The featured (pinned posts) collection a remote account declares, read from its actor document. */
  featured(account: AccountRecord): Promise<string | null>;
}

/** What translating one activity uses. */
export interface IngestEnv {
  readonly inbound: Inbound;
  readonly lookup: Lookup;
  /** The guarded document loader (cached), for contexts and for objects fetched by id. */
  readonly loader: DocumentLoader;
  readonly log: Logger;
  /** ms since the epoch. */
  now(): number;
  /** This instance's origin (http(s)://WEB_DOMAIN). */
  readonly localOrigin: string;
}

/** What became of an activity: applied, or ignored and why (for the debug log and tests). */
export type IngestOutcome = { readonly applied: string } | { readonly ignored: string };
