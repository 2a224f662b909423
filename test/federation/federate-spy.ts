import type { Database, Tx } from "../../src/ports/database.ts";
import type { JobRequest } from "../../src/ports/job-queue.ts";
import { federateJob, type FederationEvent } from "../../src/services/federation/outbound.ts";

/**
 * Records the federate events of committed transactions, on either backend (the queue may be a table or
 * BullMQ): wraps the database's transaction so each tx's enqueue is seen, and keeps what a commit kept.
 */
export function spyOnFederation(db: Database): { events: FederationEvent[]; take(): FederationEvent[] } {
  const events: FederationEvent[] = [];
  const original = db.transaction.bind(db);
  (db as { transaction: Database["transaction"] }).transaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    original((tx) => {
      const pending: FederationEvent[] = [];
      tx.afterCommit(() => void events.push(...pending));
      const wrapped = new Proxy(tx, {
        get(target, prop) {
          if (prop === "enqueue")
            return async (jobs: readonly JobRequest[]) => {
              for (const job of jobs) if (job.name === federateJob.name) pending.push(job.payload as FederationEvent);
              return target.enqueue(jobs);
            };
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      return fn(wrapped);
    });
  return {
    events,
    take() {
      return events.splice(0, events.length);
    },
  };
}
