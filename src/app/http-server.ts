import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";

export interface RunningServer {
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish for up to `timeoutMs`, then cuts what is left. */
  close(timeoutMs: number): Promise<void>;
}

/** Listens with a Hono app; resolves once bound (port 0 picks a free port, reported in `port`). */
export function listen(app: Hono<any>, host: string, port: number, configure?: (server: Server) => void): Promise<RunningServer> {
  const server = createServer(getRequestListener(app.fetch));
  // Behind a load balancer, idle keep-alive sockets must outlive the balancer's own idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  configure?.(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: (timeoutMs) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
