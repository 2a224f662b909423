import type { Tx } from "../../ports/database.ts";

/** Thrown in a publishing transaction whose scheduled row another publisher took first: it rolls back. */
export class ScheduledStatusTaken extends Error {
  constructor() {
    super("the scheduled status was published or cancelled meanwhile");
  }
}

/**
 * Deletes the scheduled row in the transaction that creates its status (postStatus calls this): of two
 * publishers racing over one row, only the one whose delete succeeds commits a status.
 */
export async function claimScheduledStatus(tx: Tx, scheduledStatusId: bigint): Promise<void> {
  if (!(await tx.scheduledStatuses.delete(scheduledStatusId))) throw new ScheduledStatusTaken();
}
