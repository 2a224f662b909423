import type { JobEnvelope } from "../ports/job-queue.ts";
import type { JobDefinition } from "./define-job.ts";
import type { JobDeps } from "./deps.ts";

/** A job that can never succeed (unknown name, payload that fails its schema): retrying cannot help. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
  /** Read by the queue adapters (isPermanentFailure): the job goes to the dead set without retries. */
  readonly permanent = true;
}

/** Extra handlers by job name, for integrations that enqueue through the port themselves (Fedify's queue). */
export type ExtraHandlers = ReadonlyMap<string, (job: JobEnvelope) => Promise<void>>;

/**
 * Turns job definitions into the single handler a worker runs: finds the definition by name, validates the
 * payload against its schema, and runs it.
 */
export function createDispatcher(
  definitions: readonly JobDefinition<any>[],
  deps: JobDeps,
  extra: ExtraHandlers = new Map(),
): (job: JobEnvelope) => Promise<void> {
  const byName = new Map<string, JobDefinition<any>>();
  for (const def of definitions) {
    if (byName.has(def.name)) throw new Error(`two jobs are named ${def.name}`);
    byName.set(def.name, def);
  }
  return async (job) => {
    const def = byName.get(job.name);
    if (!def) {
      const handler = extra.get(job.name);
      if (handler) return handler(job);
      throw new PermanentJobError(`no job is named ${JSON.stringify(job.name)}`);
    }
    const parsed = def.payload.safeParse(job.payload);
    if (!parsed.success) throw new PermanentJobError(`payload of ${job.name} is invalid: ${parsed.error.message}`);
    await def.run(deps, parsed.data, job);
  };
}
