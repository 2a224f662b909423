import { listen, type RunningServer } from "../../src/app/http-server.ts";
import { closedPort } from "./closed-port.ts";
import { startTestApp, type AppVariant, type TestApp } from "./test-app.ts";

/** A Herd instance listening on loopback under its own domain (127.0.0.1:port), federating over plain http. */
export interface FederatedInstance extends TestApp {
  /** LOCAL_DOMAIN: 127.0.0.1 and the port, as handles show it (`@alice@127.0.0.1:4123`). */
  readonly domain: string;
  readonly server: RunningServer;
}

/**
 * Starts an instance with a real socket, so another instance can reach it: its port is picked first, since
 * LOCAL_DOMAIN (and every URL it mints) names it. Plain http and loopback are allowed for this pair only.
 */
export async function startFederatedInstance(variant: AppVariant, env: Record<string, string> = {}): Promise<FederatedInstance> {
  const port = await closedPort();
  const domain = `127.0.0.1:${port}`;
  const t = await startTestApp(variant, {
    LOCAL_DOMAIN: domain,
    LOCAL_HTTPS: "false",
    ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32",
    ACTOR_KEYS_AT_CREATION: "false",
    ...env,
  });
  const server = await listen(t.app, "127.0.0.1", port);
  return {
    ...t,
    domain,
    server,
    async close() {
      await server.close(2_000);
      await t.close();
    },
  };
}

/** Drains both instances until neither has work left (a delivery to one can imply jobs on the other). */
export async function drainBoth(a: TestApp, b: TestApp, rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await a.drain(20_000);
    await b.drain(20_000);
  }
}

/** Polls `check` until it returns a value other than undefined (federation crosses two job queues). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
