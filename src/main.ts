import { parseArgs } from "node:util";
import { ConfigError, type Config } from "./config/config.ts";
import { loadConfig, readEnvironment } from "./config/load.ts";
import { createLogger } from "./app/logger.ts";
import { runAdmin, type Output } from "./app/commands/admin.ts";
import { runDoctor } from "./app/commands/doctor.ts";
import { CommandError, EXIT, HELP, UsageError } from "./app/commands/usage.ts";
import { DEFAULT_QUEUES, parseQueueSpec } from "./app/queue-spec.ts";
import { runScheduler, runStart, runStreaming, runWeb, runWorker, type RunningRole, type WorkerFlags } from "./app/roles.ts";
import { StartupError } from "./app/startup-error.ts";

const io: Output = { out: (l) => process.stdout.write(l + "\n"), err: (l) => process.stderr.write(l + "\n") };
const COMMANDS = ["start", "web", "streaming", "worker", "scheduler", "migrate", "doctor", "admin"] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    io.out(HELP.main);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    io.err(`herd: unknown command ${JSON.stringify(command)}\n\n${HELP.main}`);
    return EXIT.usage;
  }
  const cmd = command as Command;
  if (cmd !== "admin" && (rest.includes("--help") || rest.includes("-h"))) {
    io.out(HELP[cmd]);
    return EXIT.ok;
  }

  let config: Config;
  try {
    config = loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`herd: configuration error: ${error.message}`);
      return EXIT.config;
    }
    throw error;
  }

  try {
    switch (cmd) {
      case "admin":
        await runAdmin(config, rest, io);
        return EXIT.ok;
      case "doctor":
        return (await runDoctor(config, io)) ? EXIT.ok : EXIT.failure;
      case "migrate":
        return await migrate(config);
      default:
        return await runRole(cmd, config, rest);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`herd: ${error.message}\n\n${error.help}`);
      return EXIT.usage;
    }
    if (error instanceof StartupError || error instanceof ConfigError) {
      io.err(`herd: ${error.message}`);
      return EXIT.config;
    }
    if (error instanceof CommandError) {
      io.err(`herd: ${error.message}`);
      return EXIT.failure;
    }
    io.err(`herd: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.failure;
  }
}

async function migrate(config: Config): Promise<number> {
  const { silentLogger } = await import("./app/logger.ts");
  const { buildContainer } = await import("./app/container.ts");
  const { migrateToLatest } = await import("./adapters/db/migrations/index.ts");
  const c = await buildContainer(config, silentLogger, { role: "migrate", checks: false, relayJobs: false });
  try {
    const report = await migrateToLatest(c.db.kysely, c.db.engine);
    io.out(report.applied.length > 0 ? `Applied: ${report.applied.join(", ")}` : "The database is up to date.");
    return EXIT.ok;
  } finally {
    await c.close();
  }
}

function roleFlags(cmd: Command, args: string[]): { worker: WorkerFlags; metricsPort: number | null } {
  const options = {
    queues: { type: "string" as const },
    concurrency: { type: "string" as const },
    "metrics-port": { type: "string" as const },
  };
  let values: { queues?: string; concurrency?: string; "metrics-port"?: string };
  try {
    values = parseArgs({ args, options, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), HELP[cmd]);
  }
  const allowed: Record<string, string[]> = {
    start: ["queues", "concurrency"], worker: ["queues", "concurrency", "metrics-port"], scheduler: ["metrics-port"],
    web: [], streaming: [],
  };
  for (const key of Object.keys(values))
    if (!allowed[cmd].includes(key)) throw new UsageError(`herd ${cmd} does not take --${key}`, HELP[cmd]);
  const spec = parseQueueSpec(values.queues ?? DEFAULT_QUEUES);
  if (!spec.ok) throw new UsageError(spec.error, HELP[cmd]);
  const concurrency = Number(values.concurrency ?? (cmd === "start" ? 4 : 10));
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
    throw new UsageError("--concurrency must be a whole number from 1 to 1000", HELP[cmd]);
  let metricsPort: number | null = null;
  if (values["metrics-port"] !== undefined) {
    metricsPort = Number(values["metrics-port"]);
    if (!/^\d+$/.test(values["metrics-port"]) || metricsPort > 65535)
      throw new UsageError("--metrics-port must be a port number (0 picks a free one)", HELP[cmd]);
  }
  return { worker: { queues: spec.queues, concurrency }, metricsPort };
}

async function runRole(cmd: Command, config: Config, args: string[]): Promise<number> {
  const flags = roleFlags(cmd, args);
  const log = createLogger(config.logLevel, cmd);
  const metricsPort = flags.metricsPort ?? config.metricsPort;
  let role: RunningRole;
  try {
    role =
      cmd === "start" ? await runStart(config, log, flags.worker)
      : cmd === "web" ? await runWeb(config, log)
      : cmd === "streaming" ? await runStreaming(config, log)
      : cmd === "worker" ? await runWorker(config, log, flags.worker, metricsPort)
      : await runScheduler(config, log, metricsPort);
  } catch (error) {
    if (error && typeof error === "object" && (error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      const port = (error as { port?: number }).port;
      throw new StartupError(`port ${port} is already in use: stop the other process, or choose another with PORT, STREAMING_PORT, METRICS_PORT or --metrics-port`);
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        log.warn({ signal }, "second signal: exiting at once");
        process.exit(EXIT.failure);
      }
      log.info({ signal }, "shutting down");
      role.stop().then(resolve, (err) => {
        log.error({ err }, "shutdown failed");
        resolve();
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  return EXIT.ok;
}

const code = await main(process.argv.slice(2));
// Flush stdout/stderr before exiting: process.exit would cut piped output short.
process.exitCode = code;
setTimeout(() => process.exit(code), 2_000).unref();
