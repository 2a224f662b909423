import { Hono, type Context } from "hono";
import { routePath } from "hono/route";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Logger } from "../ports/logger.ts";
import { HttpError } from "./errors.ts";
import { addressMatcher, clientAddress, isLoopbackAddress } from "./middleware/client-address.ts";

/** Something whose failure makes this process unable to serve: the database, a Redis connection. */
export interface HealthProbe {
  readonly name: string;
  check(): Promise<void>;
}

export interface RequestObserver {
  observe(method: string, route: string, status: number, seconds: number): void;
}

export interface HttpDeps {
  readonly log: Logger;
  readonly trustedProxies: readonly string[];
  readonly metricsAllowed: readonly string[];
  readonly health: readonly HealthProbe[];
  readonly requests?: RequestObserver;
  readonly renderMetrics?: () => Promise<{ contentType: string; body: string }>;
}

export type HerdEnv = { Variables: { clientIp: string } };

const HEALTH_TIMEOUT_MS = 3_000;

/**
 * The HTTP application shared by every role that serves HTTP: client address, request metrics and logs,
 * Mastodon-shaped errors, /health and /metrics. Feature routes are mounted by the caller.
 */
export function createHttpApp(deps: HttpDeps): Hono<HerdEnv> {
  const app = new Hono<HerdEnv>();
  const trusted = addressMatcher(deps.trustedProxies);
  const metricsAllowed = addressMatcher(deps.metricsAllowed);

  app.use(async (c, next) => {
    const started = performance.now();
    let peer = "";
    try {
      peer = getConnInfo(c).remote.address ?? "";
    } catch {
      // app.request() in tests has no socket; treat it as a loopback caller.
      peer = "127.0.0.1";
    }
    c.set("clientIp", clientAddress(peer, c.req.header("x-forwarded-for"), trusted));
    await next();
    const route = c.res.status === 404 && routePath(c) === "/*" ? "unmatched" : routePath(c);
    const seconds = (performance.now() - started) / 1000;
    deps.requests?.observe(c.req.method, route, c.res.status, seconds);
    deps.log.debug(
      { method: c.req.method, path: c.req.path, route, status: c.res.status, ms: Math.round(seconds * 1000), ip: c.get("clientIp") },
      "request",
    );
  });

  app.onError((error, c) => {
    if (error instanceof HttpError) {
      if (error.status >= 500) deps.log.error({ err: error.cause ?? error, path: c.req.path }, error.message);
      const body: Record<string, string> = { error: error.publicMessage };
      if (error.description) body.error_description = error.description;
      return c.json(body, error.status as 400);
    }
    deps.log.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return c.json({ error: "Internal server error" }, 500);
  });

  app.notFound((c) => c.json({ error: "Not found" }, 404));

  // Load balancers poll this: plain text, never a redirect, 503 while a backend this process needs is down.
  app.get("/health", async (c) => {
    const failed = await failingProbes(deps.health);
    c.header("Cache-Control", "no-store");
    if (failed.length > 0) {
      deps.log.warn({ failed }, "health check failed");
      return c.text(`Unavailable: ${failed.join(", ")}`, 503);
    }
    return c.text("OK", 200);
  });

  if (deps.renderMetrics) {
    const render = deps.renderMetrics;
    app.get("/metrics", async (c: Context<HerdEnv>) => {
      const ip = c.get("clientIp");
      if (!isLoopbackAddress(ip) && !metricsAllowed(ip)) throw new HttpError(403, "Metrics are only served to METRICS_ALLOWED_IPS");
      const { contentType, body } = await render();
      c.header("Content-Type", contentType);
      c.header("Cache-Control", "no-store");
      return c.body(body, 200);
    });
  }

  return app;
}

async function failingProbes(probes: readonly HealthProbe[]): Promise<string[]> {
  const results = await Promise.all(
    probes.map(async (p) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          p.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("timed out")), HEALTH_TIMEOUT_MS);
          }),
        ]);
        return null;
      } catch {
        return p.name;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results.filter((r): r is string => r !== null);
}
