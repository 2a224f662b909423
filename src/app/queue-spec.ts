import { QUEUE_NAMES, type QueueName, type WeightedQueue } from "../ports/job-queue.ts";

/** What `herd worker` takes when --queues is not given: every queue, weighted by user impact. */
export const DEFAULT_QUEUES = "default:4,ingress:2,push:2,pull:1,mailers:1,scheduler:1";

/** Parses `default:4,ingress:2,push:2,pull,mailers` (weight 1 when omitted); an error message says what is wrong. */
export function parseQueueSpec(spec: string): { ok: true; queues: WeightedQueue[] } | { ok: false; error: string } {
  const queues: WeightedQueue[] = [];
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [name, weightText, ...rest] = part.split(":");
    if (rest.length > 0 || !(QUEUE_NAMES as readonly string[]).includes(name))
      return { ok: false, error: `unknown queue ${JSON.stringify(name)} in --queues; queues are ${QUEUE_NAMES.join(", ")}` };
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!Number.isInteger(weight) || weight < 1 || weight > 100)
      return { ok: false, error: `the weight of ${name} must be a whole number from 1 to 100, as in ${name}:2` };
    if (queues.some((q) => q.queue === name)) return { ok: false, error: `${name} is listed twice in --queues` };
    queues.push({ queue: name as QueueName, weight });
  }
  if (queues.length === 0) return { ok: false, error: "--queues names no queue" };
  return { ok: true, queues };
}
