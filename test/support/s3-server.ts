import { fork } from "node:child_process";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** s3rver's fixed key pair. */
export const S3RVER_KEY = "S3RVER";
/** The domain s3rver treats as its service endpoint, so `<bucket>.s3.herd.test` is a virtual-host request. */
export const S3RVER_SERVICE_DOMAIN = "herd.test";

/** A running s3rver on loopback with the named buckets, its files in a temporary directory. */
export interface TestS3Server {
  readonly port: number;
  /** Path-style endpoint: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Virtual-host endpoint: `http://s3.herd.test:<port>`; resolve it with `loopbackAgent()`. */
  readonly vhostEndpoint: string;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 with an OS-chosen port, in a child process (see s3rver-process.ts for why). */
export async function startS3rver(buckets: readonly string[]): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), "herd-s3rver-"));
  const child = fork(
    fileURLToPath(new URL("./s3rver-process.ts", import.meta.url)),
    [JSON.stringify({ directory, serviceEndpoint: S3RVER_SERVICE_DOMAIN, buckets })],
    { execArgv: ["--openssl-legacy-provider"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`s3rver exited with code ${code} before listening`)));
  });
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    vhostEndpoint: `http://s3.${S3RVER_SERVICE_DOMAIN}:${port}`,
    async stop() {
      if (child.connected) child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * An HTTP agent that resolves every `*.herd.test` name to 127.0.0.1, so virtual-host requests
 * (`<bucket>.s3.herd.test`) reach the local s3rver without touching DNS or /etc/hosts. `hostnames` records every
 * name looked up, to prove which addressing style a client used.
 */
export function loopbackAgent(): Agent & { readonly hostnames: Set<string> } {
  const hostnames = new Set<string>();
  const agent = new Agent({
    keepAlive: true,
    lookup: ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      hostnames.add(hostname);
      if (!hostname.endsWith(`.${S3RVER_SERVICE_DOMAIN}`)) return dnsLookup(hostname, options as never, callback as never);
      if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 } satisfies LookupAddress]);
      else callback(null, "127.0.0.1", 4);
    }) as never,
  });
  return Object.assign(agent, { hostnames });
}

/** A canned S3 error reply, as a fault proxy sends it. */
export interface S3Fault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * An HTTP proxy in front of an S3 server that answers chosen requests with an S3 error and forwards the rest, to
 * see how the store explains failures real providers produce (ACLs refused, permissions missing).
 */
export async function startFaultProxy(
  target: number,
  fault: (req: IncomingMessage) => S3Fault | null,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const answer = fault(req);
    if (answer) {
      req.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${answer.code}</Code><Message>${answer.message}</Message><RequestId>herd-test</RequestId></Error>`;
      res.writeHead(answer.status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const upstream = request(
      { host: "127.0.0.1", port: target, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
