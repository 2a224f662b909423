import type { ChainableCommander, Redis } from "ioredis";

type ScriptArg = string | number;
type ScriptFunction = (...args: ScriptArg[]) => Promise<unknown>;

/**
 * A Lua script registered on each connection it runs on, so ioredis sends EVALSHA and falls back to EVAL
 * after a server restart or SCRIPT FLUSH. Keys are always passed explicitly (KEYS[n]), never built inside the
 * script, so every key a script touches is declared.
 */
export class RedisScript {
  readonly #name: string;
  readonly #lua: string;

  /** `name` must be unique across Herd: it becomes a method on the connection. */
  constructor(name: string, lua: string) {
    this.#name = name;
    this.#lua = lua;
  }

  /**
   * Registers the script on a connection: call when the adapter using it is built, before the connection carries
   * commands. A pipeline knows only the scripts registered before it was created, and an auto-pipelining connection
   * keeps one open between writes, so a script registered on first use would find no method on it.
   */
  register(redis: Redis): void {
    if (!Object.hasOwn(redis.scriptsSet, this.#name)) redis.defineCommand(this.#name, { lua: this.#lua });
  }

  /** Runs the script, registered on `redis` before, and resolves with its reply. */
  run(redis: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    if (!Object.hasOwn(redis.scriptsSet, this.#name)) throw new Error(`Lua script ${this.#name} was not registered on this connection`);
    const fn = (redis as unknown as Record<string, ScriptFunction>)[this.#name];
    return fn.call(redis, keys.length, ...keys, ...args);
  }

  /** Queues the script on a pipeline created from a connection it was registered on. */
  queue(pipeline: ChainableCommander, keys: readonly string[], args: readonly ScriptArg[]): void {
    const fn = (pipeline as unknown as Record<string, ScriptFunction | undefined>)[this.#name];
    if (!fn) throw new Error(`Lua script ${this.#name} was not registered before the pipeline was created`);
    void fn.call(pipeline, keys.length, ...keys, ...args);
  }
}
