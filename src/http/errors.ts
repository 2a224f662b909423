/**
 * An error whose status and client-safe message are known; the cause stays in the logs. Rendered as
 * Mastodon's `{"error": "..."}`.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly publicMessage: string;
  readonly description: string | undefined;
  constructor(status: number, message: string, options: { cause?: unknown; description?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.publicMessage = message;
    this.description = options.description;
  }
}
