import type { Config } from "../../config/config.ts";
import { isLoopbackHost } from "../../config/load.ts";
import { pendingMigrations } from "../../adapters/db/migrations/index.ts";
import type { Logger } from "../../ports/logger.ts";
import { buildContainer } from "../container.ts";
import type { Output } from "./admin.ts";

interface Check {
  readonly name: string;
  run(): Promise<string>;
}

/** `herd doctor`: every backend the configuration names, checked one by one; true when all pass. */
export async function runDoctor(config: Config, io: Output): Promise<boolean> {
  const warnings: string[] = [];
  const log: Logger = {
    error: () => {},
    info: () => {},
    debug: () => {},
    warn: (_obj, msg) => void (msg && warnings.push(msg)),
    child: () => log,
  };
  io.out(`Configuration: ${config.baseUrl} (handles @user@${config.localDomain}), database ${config.database.kind}, ` +
    `queue ${config.redis.queueUrl ? "Redis" : "database"}, cache ${config.redis.cacheUrl ? "Redis" : "memory"}, ` +
    `media ${config.media.kind}, mail ${config.mail.kind}`);
  if (!config.https && !isLoopbackHost(config.webDomain))
    warnings.push(`LOCAL_HTTPS is false for ${config.webDomain}: other servers and browsers will reach it over plain http`);

  let failed = false;
  const report = async (check: Check) => {
    try {
      io.out(`  ok    ${check.name}: ${await check.run()}`);
    } catch (error) {
      failed = true;
      io.out(`  FAIL  ${check.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  let container: Awaited<ReturnType<typeof buildContainer>> | null = null;
  await report({
    name: "backends",
    run: async () => {
      container = await buildContainer(config, log, { role: "doctor", checks: false, relayJobs: false });
      return "connected";
    },
  });
  const c = container as Awaited<ReturnType<typeof buildContainer>> | null;
  if (c) {
    try {
      await report({
        name: "database",
        run: async () => {
          await c.db.ping();
          const pending = await pendingMigrations(c.db.kysely, c.db.engine);
          if (pending.length > 0) throw new Error(`${pending.length} pending migration(s): run \`herd migrate\``);
          return `${c.db.engine}, migrations up to date`;
        },
      });
      const { cacheUrl, queueUrl } = config.redis;
      for (const [url, use, variable] of [[cacheUrl, "cache", "CACHE_REDIS_URL"], [queueUrl, "queue", "QUEUE_REDIS_URL"]] as const) {
        if (!url) continue;
        await report({
          name: `redis (${use})`,
          run: async () => {
            const { createRedis, checkRedis } = await import("../../adapters/redis/redis-connection.ts");
            const redis = createRedis(url);
            try {
              await checkRedis(redis, { use }, log);
              return `${variable} reachable, settings fit`;
            } finally {
              redis.disconnect();
            }
          },
        });
      }
      await report({ name: "media", run: async () => (await c.media.check(), `${c.media.kind} store writable`) });
      await report({ name: "mail", run: async () => (await c.mailer.check(), `${c.mailer.kind} ready`) });
    } finally {
      await c.close();
    }
  }
  for (const w of warnings) io.out(`  warn  ${w}`);
  io.out(failed ? "Some checks failed." : "All checks passed.");
  return !failed;
}
