import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback port with nothing listening on it (bound, read, released), to see a client fail to connect. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
