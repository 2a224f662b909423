import type { Config } from "../config/config.ts";
import type { Hono } from "hono";
import { createHttpApp, type HealthProbe, type HerdEnv } from "../http/app.ts";
import { mountLocalMedia, mountMediaRedirects } from "../http/local-media.ts";
import { mountClientApi } from "../http/client-api.ts";
import type { ApiDeps } from "../http/mastodon/context.ts";
import { CLIENT_ROUTES } from "../http/routes.ts";
import { mountHostMeta } from "../http/wellknown/host-meta.ts";
import { HERD_VERSION } from "../http/mastodon/serializers/instance.ts";
import { ALL_JOBS } from "../jobs/index.ts";
import { createDispatcher } from "../jobs/dispatch.ts";
import type { WeightedQueue, RunningWorker } from "../ports/job-queue.ts";
import type { Logger } from "../ports/logger.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { buildContainer, type Container } from "./container.ts";
import { listen, type RunningServer } from "./http-server.ts";
import { StartupError } from "./startup-error.ts";
import { StreamingHub } from "../streaming/hub.ts";
import { mountStreaming } from "../streaming/sse.ts";
import { attachWebSocket } from "../streaming/websocket.ts";
import { streamingMetrics } from "./streaming-metrics.ts";

/** A started role: `stop` shuts it down gracefully (bounded by SHUTDOWN_TIMEOUT_SECONDS). */
export interface RunningRole {
  readonly container: Container;
  /** Ports actually bound, by purpose (http, streaming, metrics). */
  readonly ports: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

export interface WorkerFlags {
  readonly queues: readonly WeightedQueue[];
  readonly concurrency: number;
}

/** The split roles need shared backends: several processes cannot share SQLite or in-memory state. */
export function requireSharedBackends(config: Config, role: string): void {
  const missing: string[] = [];
  if (config.database.kind !== "postgres") missing.push("DATABASE_URL (PostgreSQL)");
  if (!config.redis.queueUrl || !config.redis.cacheUrl) missing.push("REDIS_URL");
  if (missing.length > 0)
    throw new StartupError(
      `herd ${role} runs beside other Herd processes and needs shared backends: set ${missing.join(" and ")}. ` +
        "To run everything in one process on the embedded database, use `herd start`.",
    );
}

function httpApp(c: Container, extraHealth: readonly HealthProbe[] = []) {
  const { config, metrics } = c;
  const app = createHttpApp({
    log: c.log,
    trustedProxies: config.trustedProxies,
    metricsAllowed: config.metricsAllowed,
    health: [...c.health, ...extraHealth],
    requests: { observe: (method, route, status, s) => {
      metrics.httpRequests.inc({ method, route, status });
      metrics.httpDuration.observe({ method, route, status }, s);
    } },
    renderMetrics: () => metrics.render(),
  });
  return app;
}

/** What routes get from the container: ports and instance settings. */
export function apiDeps(c: Container): ApiDeps {
  return {
    instance: c.jobDeps.instance,
    db: c.db,
    cache: c.cache,
    feeds: c.feeds,
    search: c.search,
    clock: c.clock,
    media: c.media,
    images: c.jobDeps.images,
    video: c.jobDeps.video,
    mailer: c.mailer,
    queue: c.queue,
    log: c.log,
    resolver: c.resolver,
  };
}

/** The app of a role that serves clients (start, web): the client API, pages, and local media files. */
export function createClientApp(c: Container, streaming?: StreamingHub) {
  const app = httpApp(c);
  if (c.media.kind === "local") mountLocalMedia(app, c.media);
  else mountMediaRedirects(app, c.media);
  // Before the client API: streaming answers with its own errors and CORS headers, as Mastodon's server does.
  if (streaming) mountStreaming(app, streaming);
  mountClientApi(app, apiDeps(c), CLIENT_ROUTES);
  mountHostMeta(app, c.config.baseUrl);
  mountFederationLazily(app, c);
  return app;
}

/** Every path the federation endpoints answer (src/federation/hono.ts mounts them). */
const FEDERATION_PATHS = ["/.well-known/webfinger", "/.well-known/nodeinfo", "/nodeinfo/*", "/actor", "/inbox", "/users/*", "/emojis/*"];

/**
 * Mounts the federation endpoints on first use: Fedify and its JSON-LD stack weigh about 60 MiB of memory,
 * which an idle small instance should not pay before anyone federates with it. The endpoints run in an app of
 * their own (Mastodon-shaped errors, no second request metric) that the client app hands these paths to.
 */
function mountFederationLazily(app: Hono<HerdEnv>, c: Container): void {
  let loading: Promise<Hono<HerdEnv>> | null = null;
  const load = () =>
    (loading ??= (async () => {
      const [{ createHerdFederation }, { mountFederation }] = await Promise.all([
        import("../federation/federation.ts"),
        import("../federation/hono.ts"),
      ]);
      const federated = createHttpApp({ log: c.log, trustedProxies: c.config.trustedProxies, metricsAllowed: [], health: [] });
      mountFederation(federated, createHerdFederation({
        instance: c.jobDeps.instance, db: c.db, cache: c.cache, clock: c.clock, media: c.media, log: c.log, http: c.http,
        authorizedFetch: c.config.authorizedFetch, version: HERD_VERSION,
      }));
      return federated;
    })().catch((error) => {
      loading = null;
      throw error;
    }));
  for (const path of FEDERATION_PATHS) app.all(path, async (ctx) => (await load()).fetch(ctx.req.raw));
  // Profile and post pages (/@alice, /@alice/123) are also the `url`s peers and people paste into search: asked
  // for as ActivityPub, they lead to the actor or the Note, as Mastodon's do. Other requests go on to the pages.
  app.get("/:handle{@[^/]+}/:id?", async (ctx, next) => {
    if (!/application\/(activity\+json|ld\+json)/i.test(ctx.req.header("accept") ?? "")) return next();
    return (await load()).fetch(ctx.req.raw);
  });
}

function startWorker(c: Container, flags: WorkerFlags): RunningWorker {
  return c.queue.work({
    queues: flags.queues,
    concurrency: flags.concurrency,
    handler: createDispatcher(ALL_JOBS, c.jobDeps),
    observer: c.metrics.jobObserver(),
  });
}

/** The streaming server of a container (herd start, herd streaming): its connections, channels and metrics. */
export function createStreamingHub(c: Container): StreamingHub {
  return new StreamingHub({ ...apiDeps(c), pubsub: c.pubsub }, { observer: streamingMetrics(c.metrics.registry) });
}

function stopper(c: Container, parts: { servers?: RunningServer[]; scheduler?: Scheduler; worker?: RunningWorker; streaming?: StreamingHub }) {
  let stopping: Promise<void> | null = null;
  return () =>
    (stopping ??= (async () => {
      const timeout = c.config.shutdownTimeoutSeconds * 1000;
      await parts.scheduler?.stop();
      // Streaming connections never finish on their own: close them before waiting for the servers to drain.
      await parts.streaming?.close();
      await Promise.all([
        ...(parts.servers ?? []).map((s) => s.close(timeout)),
        parts.worker?.close(timeout),
      ]);
      await c.close();
    })());
}

/** `herd start`: HTTP, workers for every queue and the scheduler in one process. */
export async function runStart(config: Config, log: Logger, flags: WorkerFlags): Promise<RunningRole> {
  const c = await buildContainer(config, log, { role: "start", migrate: true });
  try {
    const streaming = createStreamingHub(c);
    const http = await listen(createClientApp(c, streaming), config.bind, config.port, (server) => void attachWebSocket(server, streaming));
    const worker = startWorker(c, flags);
    const scheduler = new Scheduler({ jobs: config.schedule, leases: c.leases, queue: c.queue, clock: c.clock, log });
    scheduler.start();
    log.info({ url: config.baseUrl, bind: config.bind, port: http.port, database: c.db.engine }, "Herd is running");
    return { container: c, ports: { http: http.port }, stop: stopper(c, { servers: [http], scheduler, worker, streaming }) };
  } catch (error) {
    await c.close();
    throw error;
  }
}

/** `herd web`: the HTTP API and pages; enqueues jobs (relaying them to Redis), never runs them. */
export async function runWeb(config: Config, log: Logger): Promise<RunningRole> {
  requireSharedBackends(config, "web");
  const c = await buildContainer(config, log, { role: "web" });
  try {
    const http = await listen(createClientApp(c), config.bind, config.port);
    log.info({ url: config.baseUrl, port: http.port }, "herd web is running");
    return { container: c, ports: { http: http.port }, stop: stopper(c, { servers: [http] }) };
  } catch (error) {
    await c.close();
    throw error;
  }
}

/** `herd streaming`: the streaming server's own port, with its health check and metrics. */
export async function runStreaming(config: Config, log: Logger): Promise<RunningRole> {
  requireSharedBackends(config, "streaming");
  const c = await buildContainer(config, log, { role: "streaming", relayJobs: false });
  try {
    const app = httpApp(c);
    // The WebSocket endpoint, the SSE streams and /api/v1/streaming/health (where load balancers look).
    const streaming = createStreamingHub(c);
    mountStreaming(app, streaming);
    const http = await listen(app, config.bind, config.streamingPort, (server) => void attachWebSocket(server, streaming));
    log.info({ port: http.port }, "herd streaming is running");
    return { container: c, ports: { streaming: http.port }, stop: stopper(c, { servers: [http], streaming }) };
  } catch (error) {
    await c.close();
    throw error;
  }
}

/** `herd worker`: runs jobs from the given queues; /health and /metrics on the metrics port. */
export async function runWorker(config: Config, log: Logger, flags: WorkerFlags, metricsPort: number): Promise<RunningRole> {
  requireSharedBackends(config, "worker");
  if (config.database.kind === "postgres" && config.database.pool < flags.concurrency + 2)
    log.warn(
      { DB_POOL: config.database.pool, concurrency: flags.concurrency },
      "DB_POOL is smaller than --concurrency + 2: jobs will wait for database connections",
    );
  const c = await buildContainer(config, log, { role: "worker" });
  try {
    const metrics = await listen(httpApp(c), config.bind, metricsPort);
    const worker = startWorker(c, flags);
    log.info({ queues: flags.queues, concurrency: flags.concurrency, metricsPort: metrics.port }, "herd worker is running");
    return { container: c, ports: { metrics: metrics.port }, stop: stopper(c, { servers: [metrics], worker }) };
  } catch (error) {
    await c.close();
    throw error;
  }
}

/** `herd scheduler`: fires periodic jobs; safe to run on every node. */
export async function runScheduler(config: Config, log: Logger, metricsPort: number): Promise<RunningRole> {
  requireSharedBackends(config, "scheduler");
  const c = await buildContainer(config, log, { role: "scheduler" });
  try {
    const metrics = await listen(httpApp(c), config.bind, metricsPort);
    const scheduler = new Scheduler({ jobs: config.schedule, leases: c.leases, queue: c.queue, clock: c.clock, log });
    scheduler.start();
    log.info({ jobs: config.schedule.map((j) => j.job.name), metricsPort: metrics.port }, "herd scheduler is running");
    return { container: c, ports: { metrics: metrics.port }, stop: stopper(c, { servers: [metrics], scheduler }) };
  } catch (error) {
    await c.close();
    throw error;
  }
}
