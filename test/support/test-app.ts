import type { Hono } from "hono";
import { createLogger, silentLogger } from "../../src/app/logger.ts";
import { buildContainer, type Container } from "../../src/app/container.ts";
import { createClientApp } from "../../src/app/roles.ts";
import { createDispatcher } from "../../src/jobs/dispatch.ts";
import { ALL_JOBS } from "../../src/jobs/index.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { RunningWorker } from "../../src/ports/job-queue.ts";
import { QUEUE_NAMES } from "../../src/ports/job-queue.ts";
import type { UserRole } from "../../src/ports/repositories/accounts.ts";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { createPostgresDatabaseUrl, SKIP_POSTGRES, SKIP_REDIS, TEST_REDIS_URL, uniqueName } from "./backends.ts";
import { tempDataDir } from "./cli.ts";

/** The backends an API test runs on: embedded, and PostgreSQL + Redis when CI provides them. */
export const appVariants = [
  { name: "sqlite", skip: false as string | false },
  { name: "postgres+redis", skip: (SKIP_POSTGRES || SKIP_REDIS) as string | false },
] as const;
export type AppVariant = (typeof appVariants)[number]["name"];

export interface RequestOptions {
  readonly token?: string;
  readonly json?: unknown;
  readonly form?: Record<string, string | string[]> | FormData;
  readonly headers?: Record<string, string>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly text: string;
}

/** An instance in this process (no socket): the whole client app over a real container, with a worker running. */
export interface TestApp {
  readonly container: Container;
  readonly app: Hono<any>;
  /** The instance's public base URL (http://herd.test). */
  readonly baseUrl: string;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /** A confirmed, approved local account; returns its id and a token with `scopes`. */
  user(username: string, options?: { scopes?: string; role?: UserRole; password?: string }): Promise<{ accountId: string; token: string; password: string }>;
  /**
   * Waits until no job is waiting or running (jobs the requests implied have run). Delayed jobs (a poll's end, a
   * scheduled status) are not waited for: they run at their time.
   */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApp(variant: AppVariant, env: Record<string, string> = {}): Promise<TestApp> {
  const closers: (() => Promise<void>)[] = [];
  // Keys are generated when a test first fetches an actor, not for every account a test creates.
  const base: Record<string, string> = { DATA_DIR: tempDataDir(), LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false", REGISTRATIONS_MODE: "open", ACTOR_KEYS_AT_CREATION: "false" };
  if (variant === "postgres+redis") {
    const pg = await createPostgresDatabaseUrl();
    closers.push(pg.drop);
    Object.assign(base, { DATABASE_URL: pg.url, REDIS_URL: TEST_REDIS_URL!, REDIS_NAMESPACE: uniqueName("app"), DB_POOL: "8" });
  }
  const config = loadConfig({ ...base, ...env });
  // TEST_LOG_LEVEL=error shows what the app logs (a 500's cause) on stderr; tests are quiet otherwise.
  const log = process.env.TEST_LOG_LEVEL ? createLogger(process.env.TEST_LOG_LEVEL, "test", process.stderr) : silentLogger;
  const container = await buildContainer(config, log, { role: "test", migrate: true, checks: false });
  closers.unshift(() => container.close());
  const worker: RunningWorker = container.queue.work({
    queues: QUEUE_NAMES.map((queue) => ({ queue, weight: 1 })),
    concurrency: 2,
    handler: createDispatcher(ALL_JOBS, container.jobDeps),
  });
  closers.unshift(() => worker.close(2_000));
  const app = createClientApp(container);
  const baseUrl = config.baseUrl;

  return {
    container,
    app,
    baseUrl,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | FormData | undefined;
      if (options.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(options.json);
      } else if (options.form instanceof FormData) {
        body = options.form;
      } else if (options.form) {
        const p = new URLSearchParams();
        for (const [k, v] of Object.entries(options.form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
        headers["content-type"] = "application/x-www-form-urlencoded";
        body = p.toString();
      }
      const res = await app.request(new URL(path, baseUrl).toString(), { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async user(username, options = {}) {
      const password = options.password ?? "correct horse battery";
      const created = await createAccount(container.jobDeps, {
        username, email: `${username}@example.com`, password, role: options.role ?? "user", confirmed: true, approved: true,
      });
      if (!created.ok) throw new Error(`could not create ${username}: ${JSON.stringify(created.error)}`);
      const token = await createAccessToken(container.jobDeps, username, options.scopes ?? "read write follow push profile");
      if (!token.ok) throw new Error(`could not create a token for ${username}`);
      return { accountId: String(created.value.account.accountId), token: token.value.token, password };
    },
    async drain(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      // Two empty readings in a row: the queues are read one after another, so a job finishing on one queue
      // while another is read can enqueue work that a single reading misses.
      let empty = 0;
      for (;;) {
        const counts = await Promise.all(QUEUE_NAMES.map((q) => container.queue.counts(q)));
        if (counts.every((c) => c.waiting + c.active === 0)) {
          if (++empty >= 2) return;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        empty = 0;
        if (Date.now() > end) throw new Error(`jobs still pending: ${JSON.stringify(counts)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const c of closers) await c();
    },
  };
}
