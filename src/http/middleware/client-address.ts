import { BlockList, isIP } from "node:net";

/** Builds a matcher for a list of addresses and CIDR ranges (TRUSTED_PROXY_IP and the like). */
export function addressMatcher(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split("/");
    const family = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return (address) => {
    const a = unmapped(address);
    const family = isIP(a) === 6 ? "ipv6" : isIP(a) === 4 ? "ipv4" : null;
    return family !== null && list.check(a, family);
  };
}

const LOOPBACK = addressMatcher(["127.0.0.0/8", "::1"]);

/** True for loopback peers, including IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string): boolean {
  return LOOPBACK(address);
}

/** Strips the IPv4-mapped IPv6 prefix Node reports on dual-stack sockets. */
function unmapped(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy, in which case X-Forwarded-For is
 * read from the right, skipping trusted hops, as Rails' remote_ip does. An untrusted peer cannot spoof it.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: (a: string) => boolean): string {
  const socket = unmapped(peer);
  if (!forwardedFor || !trusted(socket)) return socket;
  const hops = forwardedFor.split(",").map((h) => unmapped(h.trim())).filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted(hops[i])) return hops[i];
  return hops[0] ?? socket;
}
