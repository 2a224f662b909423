import { createHash, randomBytes } from "node:crypto";

/** A bearer token or secret as handed to a client: 32 random bytes, base64url (43 characters, like Mastodon's). */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** How tokens, codes and client secrets are stored: SHA-256, hex. A leaked database yields no usable token. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
