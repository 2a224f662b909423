import { z } from "zod";
import type { Tx } from "../../ports/database.ts";
import { jobRequest, type JobContract } from "../../ports/job-queue.ts";

const id = z.string().regex(/^\d{1,20}$/);
const pair = { accountId: id, targetAccountId: id };

/**
 * What a remote server must learn about, by the ids of what changed. Rendering the activity waits for the job:
 * the transaction stays short, and an activity about something deleted since is rendered from what remains.
 */
export const federationEvent = z.discriminatedUnion("type", [
  /** A local status was posted (Create), edited (Update) or deleted (Delete). */
  z.object({ type: z.literal("create"), statusId: id }),
  z.object({ type: z.literal("update"), statusId: id }),
  z.object({ type: z.literal("delete"), statusId: id }),
  /** A local boost (its own status row) and its withdrawal (the row is gone by then: ids carried). */
  z.object({ type: z.literal("announce"), statusId: id }),
  z.object({ type: z.literal("undo-announce"), statusId: id, accountId: id, reblogOfId: id }),
  z.object({ type: z.literal("like"), accountId: id, statusId: id }),
  z.object({ type: z.literal("undo-like"), accountId: id, statusId: id }),
  /** A local account asked to follow a remote one, or withdrew. */
  z.object({ type: z.literal("follow"), ...pair }),
  z.object({ type: z.literal("undo-follow"), ...pair }),
  /** A local account (target) accepted or rejected a remote follower's request; followUri is their Follow's id. */
  z.object({ type: z.literal("accept-follow"), ...pair, followUri: z.string().max(2_048).nullable() }),
  z.object({ type: z.literal("reject-follow"), ...pair, followUri: z.string().max(2_048).nullable() }),
  z.object({ type: z.literal("block"), ...pair }),
  z.object({ type: z.literal("undo-block"), ...pair }),
  /** Profile changes (Update Person), account deletion (Delete Person), and a move to another account. */
  z.object({ type: z.literal("update-actor"), accountId: id }),
  z.object({ type: z.literal("delete-actor"), accountId: id }),
  z.object({ type: z.literal("move"), ...pair }),
  /** A local vote in a remote poll: one Note with `name` per choice, to the poll's author. */
  z.object({ type: z.literal("vote"), accountId: id, pollId: id, choices: z.array(z.number().int().min(0).max(100)).max(100) }),
]);
export type FederationEvent = z.infer<typeof federationEvent>;

/**
 * Renders an event's activity and enqueues one delivery per distinct inbox. On `push`: deliveries are outgoing
 * federation work, which Mastodon also keeps off the queue local users wait on.
 */
export const federateJob: JobContract<FederationEvent> = {
  name: "federate",
  queue: "push",
  payload: federationEvent,
  retry: { attempts: 8, backoffMs: 5_000 },
};

/**
 * In the transaction of a change remote servers must learn about: enqueues its federation. The job finds the
 * inboxes (none for an account nobody remote follows or is mentioned by), so callers need not check.
 */
export async function federate(tx: Tx, event: FederationEvent): Promise<void> {
  await tx.enqueue([jobRequest(federateJob, event)]);
}
