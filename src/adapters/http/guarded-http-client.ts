import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { OutgoingRequestError, type HttpClient, type OutgoingRequestOptions } from "../../ports/http-client.ts";
import { AddressPolicy } from "./address-policy.ts";

export interface GuardedHttpClientOptions {
  /** ALLOWED_PRIVATE_ADDRESSES: ranges reachable although private or loopback. */
  readonly allowedPrivateAddresses: readonly string[];
  readonly userAgent: string;
  readonly connectTimeoutMs?: number;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly maxRedirects?: number;
  /** Replaces the system resolver (tests point a name at loopback). */
  readonly resolve?: (hostname: string) => Promise<readonly LookupAddress[]>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);
/** Credentials of the origin asked: another origin reached through a redirect must not receive them. */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "signature", "signature-input"];

function systemResolve(hostname: string): Promise<readonly LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

/**
 * HttpClient over node:http and node:https. The host is resolved by our own lookup, which keeps only the
 * addresses the policy permits and hands those to the socket: the address that was checked is the address that
 * is connected to, so a DNS answer that changes between check and connect (rebinding) cannot slip through.
 * Redirects are followed by hand, each hop resolved and checked again.
 */
export class GuardedHttpClient implements HttpClient {
  readonly userAgent: string;
  readonly #policy: AddressPolicy;
  readonly #resolve: (hostname: string) => Promise<readonly LookupAddress[]>;
  readonly #connectTimeoutMs: number;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #maxRedirects: number;
  readonly #httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly #httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(options: GuardedHttpClientOptions) {
    this.userAgent = options.userAgent;
    this.#policy = new AddressPolicy(options.allowedPrivateAddresses);
    this.#resolve = options.resolve ?? systemResolve;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#maxRedirects = options.maxRedirects ?? 5;
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  async request(input: string | URL, options: OutgoingRequestOptions = {}): Promise<Response> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const maxRedirects = options.maxRedirects ?? this.#maxRedirects;
    let url = parseUrl(input);
    let method = (options.method ?? "GET").toUpperCase();
    let body = options.body ?? null;
    const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    if (!headers.has("user-agent")) headers.set("user-agent", this.userAgent);
    for (let hop = 0; ; hop++) {
      const response = await this.#once(url, method, headers, body, signal, timeout, options.maxBytes ?? this.#maxBytes);
      const location = response.headers.get("location");
      if (!REDIRECTS.has(response.status) || location === null || maxRedirects === 0) return response;
      if (hop >= maxRedirects) throw new OutgoingRequestError("too_many_redirects", `more than ${maxRedirects} redirects from ${String(input)}`);
      const next = parseUrl(new URL(location, url));
      if (next.origin !== url.origin) for (const name of [...CREDENTIAL_HEADERS, ...(options.sensitiveHeaders ?? [])]) headers.delete(name);
      url = next;
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = null;
        headers.delete("content-type");
        headers.delete("content-length");
      }
    }
  }

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = request ? request.url : input instanceof URL ? input : String(input);
    const headers = new Headers(request?.headers);
    for (const [k, v] of new Headers(init?.headers)) headers.set(k, v);
    const method = init?.method ?? request?.method ?? "GET";
    let body: string | Uint8Array | null = null;
    const rawBody = init?.body ?? (request && request.body ? await request.arrayBuffer() : null);
    if (typeof rawBody === "string") body = rawBody;
    else if (rawBody instanceof ArrayBuffer) body = new Uint8Array(rawBody);
    else if (rawBody instanceof Uint8Array) body = rawBody;
    else if (rawBody instanceof URLSearchParams) body = rawBody.toString();
    else if (rawBody != null) body = new Uint8Array(await new Response(rawBody as ConstructorParameters<typeof Response>[0]).arrayBuffer());
    const redirect = init?.redirect ?? request?.redirect ?? "follow";
    return this.request(url, {
      method, headers, body,
      ...(init?.signal ? { signal: init.signal } : request?.signal ? { signal: request.signal } : {}),
      ...(redirect === "follow" ? {} : { maxRedirects: 0 }),
    });
  };

  async #once(
    url: URL, method: string, headers: Headers, body: string | Uint8Array | null, signal: AbortSignal, timeout: AbortSignal, maxBytes: number,
  ): Promise<Response> {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // Sockets skip the lookup for IP literals, so those are checked here.
    if (isIP(host) !== 0 && !this.#policy.permits(host)) throw forbidden(url, host);
    const lookup: LookupFunction = (hostname, opts, callback) => {
      this.#resolve(hostname).then(
        (addresses) => {
          const permitted = addresses.filter((a) => (opts.family === undefined || opts.family === 0 || a.family === opts.family) && this.#policy.permits(a.address));
          if (permitted.length === 0) return callback(forbidden(url, addresses.map((a) => a.address).join(", ") || hostname), "", 4);
          if (opts.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, permitted);
          else callback(null, permitted[0].address, permitted[0].family);
        },
        (err: NodeJS.ErrnoException) => callback(err, "", 4),
      );
    };
    const outgoing: Record<string, string> = {};
    for (const [k, v] of headers) outgoing[k] = v;
    if (body !== null) outgoing["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    const lib = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(this.#asError(error, url, timeout));
      };
      const req = lib.request(url, {
        method, headers: outgoing, lookup, signal,
        agent: url.protocol === "https:" ? this.#httpsAgent : this.#httpAgent,
      });
      req.on("socket", (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => req.destroy(new OutgoingRequestError("timeout", `connecting to ${url.host} timed out`)), this.#connectTimeoutMs);
        socket.once("connect", () => clearTimeout(timer));
        socket.once("close", () => clearTimeout(timer));
      });
      req.on("error", fail);
      req.on("response", (res) => {
        const declared = Number(res.headers["content-length"]);
        if (Number.isFinite(declared) && declared > maxBytes) {
          res.destroy();
          return fail(new OutgoingRequestError("too_large", `${url.href} answered ${declared} bytes, more than the ${maxBytes} accepted`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            req.destroy();
            fail(new OutgoingRequestError("too_large", `${url.href} answered more than the ${maxBytes} bytes accepted`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", fail);
        res.on("end", () => {
          if (settled) return;
          settled = true;
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const status = res.statusCode ?? 502;
          const payload = NULL_BODY.has(status) || method === "HEAD" ? null : Buffer.concat(chunks);
          const response = new Response(payload, { status: status < 200 ? 502 : status, statusText: res.statusMessage ?? "", headers: responseHeaders });
          Object.defineProperty(response, "url", { value: url.href });
          resolve(response);
        });
      });
      if (body !== null) req.end(body);
      else req.end();
    });
  }

  #asError(error: unknown, url: URL, timeout: AbortSignal): OutgoingRequestError {
    if (error instanceof OutgoingRequestError) return error;
    const cause = (error as { cause?: unknown })?.cause;
    if (cause instanceof OutgoingRequestError) return cause;
    if (timeout.aborted) return new OutgoingRequestError("timeout", `request to ${url.href} timed out`, { cause: error });
    return new OutgoingRequestError("network", `request to ${url.href} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch (cause) {
    throw new OutgoingRequestError("bad_url", `not a URL: ${String(input)}`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutgoingRequestError("bad_url", `only http and https URLs are fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new OutgoingRequestError("bad_url", "URLs with credentials are not fetched");
  return url;
}

function forbidden(url: URL, address: string): OutgoingRequestError {
  return new OutgoingRequestError(
    "forbidden_address",
    `${url.host} resolves to ${address}, a private or special address; list it in ALLOWED_PRIVATE_ADDRESSES to allow it`,
  );
}
