/** Limits of one outgoing request; every field has a safe default in the adapter. */
export interface OutgoingRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>> | Headers;
  readonly body?: string | Uint8Array | null;
  readonly signal?: AbortSignal;
  /** Whole request, redirects included (default 10 s). */
  readonly timeoutMs?: number;
  /** Bytes of response body accepted before the request fails (default 10 MiB). */
  readonly maxBytes?: number;
  /** Redirects followed, each re-checked against the address rules (default 5; 0 returns the 3xx). */
  readonly maxRedirects?: number;
  /**
   * Headers (any case) that must not follow a redirect to another origin, besides those always dropped then:
   * authorization, proxy-authorization, cookie, signature, signature-input.
   */
  readonly sensitiveHeaders?: readonly string[];
}

/** Why an outgoing request was refused or failed before a usable response. */
export type OutgoingRequestFailure = "forbidden_address" | "bad_url" | "timeout" | "too_large" | "too_many_redirects" | "network";

/** An outgoing request that did not produce a response; `reason` says which limit or rule stopped it. */
export class OutgoingRequestError extends Error {
  readonly reason: OutgoingRequestFailure;
  constructor(reason: OutgoingRequestFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OutgoingRequestError";
    this.reason = reason;
  }
}

/**
 * The one client every outgoing request goes through (federation fetches and deliveries, link previews, remote
 * media). It resolves the host itself, refuses private, loopback, link-local and other special addresses unless
 * the operator allowed them (ALLOWED_PRIVATE_ADDRESSES), connects to the address it checked, and enforces time,
 * size and redirect limits.
 */
export interface HttpClient {
  /** The User-Agent it sends: `Herd/<version> (+https://<WEB_DOMAIN>/)`. */
  readonly userAgent: string;
  /**
   * Performs the request; the body is read completely (within `maxBytes`) before the Response resolves, and
   * `response.url` is the final URL after redirects. Throws OutgoingRequestError on refusal or a broken limit.
   */
  request(url: string | URL, options?: OutgoingRequestOptions): Promise<Response>;
  /** A `fetch` with the same guard, for libraries that take one (Fedify). */
  readonly fetch: typeof globalThis.fetch;
}
