import { createHash } from "node:crypto";
import type { ChainableCommander, Redis } from "ioredis";

type ScriptArg = string | number;
type ScriptFunction = (...args: ScriptArg[]) => Promise<unknown>;

/**
 * A Lua script, sent as EVALSHA with a fall-back to EVAL after a server restart or SCRIPT FLUSH; queued on an
 * explicit pipeline, registered on its connection first so that ioredis does the same. Keys are always passed
 * explicitly (KEYS[n]), never built inside the script, so every key a script touches is declared.
 */
export class RedisScript {
  readonly #name: string;
  readonly #lua: string;
  readonly #sha: string;

  /** `name` must be unique across Herd: it becomes a method on the connection. */
  constructor(name: string, lua: string) {
    this.#name = name;
    this.#lua = lua;
    this.#sha = createHash("sha1").update(lua).digest("hex");
  }

  /** Registers the script on a connection; call before creating a pipeline that will queue it. */
  register(redis: Redis): void {
    if (!Object.hasOwn(redis.scriptsSet, this.#name)) redis.defineCommand(this.#name, { lua: this.#lua });
  }

  /**
   * Runs the script and resolves with its reply. Sent as EVALSHA through `call`, with EVAL when the server does
   * not have it (a restart, SCRIPT FLUSH): with auto-pipelining, a command defined on the connection after its
   * pending pipeline was made is missing from that pipeline, while `call` is on every one.
   */
  async run(redis: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    try {
      return await redis.call("EVALSHA", this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.call("EVAL", this.#lua, keys.length, ...keys, ...args);
    }
  }

  /** Queues the script on a pipeline created from a connection it was registered on. */
  queue(pipeline: ChainableCommander, keys: readonly string[], args: readonly ScriptArg[]): void {
    const fn = (pipeline as unknown as Record<string, ScriptFunction | undefined>)[this.#name];
    if (!fn) throw new Error(`Lua script ${this.#name} was not registered before the pipeline was created`);
    void fn.call(pipeline, keys.length, ...keys, ...args);
  }
}
