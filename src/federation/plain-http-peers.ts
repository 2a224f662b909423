import { BlockList, isIP } from "node:net";

/**
 * Which plain-http URLs Herd fetches: none on an https instance; with LOCAL_HTTPS=false (development and
 * federation tests), URLs whose host is an address listed in ALLOWED_PRIVATE_ADDRESSES, or `localhost` when
 * loopback is listed. Host names are not resolved here (the check must be synchronous, before any request):
 * development peers are addressed by IP or localhost, as the federation tests do. The SSRF guard still checks
 * every connection on its own.
 */
export function plainHttpPeers(options: { readonly https: boolean; readonly allowedPrivateAddresses: readonly string[] }): (url: URL) => boolean {
  if (options.https || options.allowedPrivateAddresses.length === 0) return () => false;
  const allowed = new BlockList();
  for (const cidr of options.allowedPrivateAddresses) {
    const [address, bits] = cidr.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (isIP(address) === 0) continue;
    if (bits === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(bits), family);
  }
  const listed = (address: string) => {
    const family = isIP(address);
    return family !== 0 && allowed.check(address, family === 6 ? "ipv6" : "ipv4");
  };
  return (url) => {
    if (url.protocol !== "http:") return false;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (host === "localhost") return listed("127.0.0.1") || listed("::1");
    return listed(host);
  };
}
