import type { ChainableCommander } from "ioredis";

/**
 * Runs a pipeline or MULTI and returns its replies in order, or throws the first command's error: ioredis
 * resolves exec() with an [error, reply] pair per command instead of rejecting.
 */
export async function execAll(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, reply]) => reply);
}
