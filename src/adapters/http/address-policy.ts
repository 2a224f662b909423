import { BlockList, isIP } from "node:net";

/**
 * Ranges an outgoing request must not reach unless the operator allowed them: private, loopback, link-local,
 * unique-local, carrier-grade NAT, documentation, benchmarking, multicast, reserved and the IPv6 transition
 * prefixes that embed other addresses (Mastodon's PrivateAddressCheck list).
 */
const SPECIAL_V4 = [
  "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
  "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
  "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
];
const SPECIAL_V6 = [
  "::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
  "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
];

function addRange(list: BlockList, cidr: string): void {
  const [address, bits] = cidr.split("/");
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  if (bits === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(bits), family);
}

const special = new BlockList();
for (const cidr of SPECIAL_V4) addRange(special, cidr);
for (const cidr of SPECIAL_V6) addRange(special, cidr);

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible IPv6 address, else null. */
function embeddedV4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** Decides which resolved addresses outgoing requests may connect to. */
export class AddressPolicy {
  readonly #allowed = new BlockList();

  /** `allowedRanges`: ALLOWED_PRIVATE_ADDRESSES, addresses or CIDR ranges reachable although special. */
  constructor(allowedRanges: readonly string[]) {
    for (const cidr of allowedRanges) addRange(this.#allowed, cidr);
  }

  /** True when a request may connect to `address` (an IP literal, without brackets). */
  permits(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    if (family === 6) {
      const v4 = embeddedV4(address);
      if (v4 !== null) return this.#permitsV4(v4) || this.#allowed.check(address, "ipv6");
      return !special.check(address, "ipv6") || this.#allowed.check(address, "ipv6");
    }
    return this.#permitsV4(address);
  }

  #permitsV4(address: string): boolean {
    return !special.check(address, "ipv4") || this.#allowed.check(address, "ipv4");
  }
}
