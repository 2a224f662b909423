import { createPrivateKey, createPublicKey, type webcrypto } from "node:crypto";
import type { AccountKeys } from "../ports/repositories/account-keys.ts";

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const ED25519 = { name: "Ed25519" } as const;

/** Stored PEM key pairs as the WebCrypto pairs Fedify signs with: RSA first (publicKey), then Ed25519. */
export async function cryptoKeyPairs(keys: AccountKeys): Promise<{ privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey }[]> {
  const der = (pem: string, kind: "private" | "public") =>
    kind === "private"
      ? new Uint8Array(createPrivateKey(pem).export({ type: "pkcs8", format: "der" }))
      : new Uint8Array(createPublicKey(pem).export({ type: "spki", format: "der" }));
  const [rsaPrivate, rsaPublic, edPrivate, edPublic] = await Promise.all([
    crypto.subtle.importKey("pkcs8", der(keys.rsaPrivateKey, "private"), RSA, true, ["sign"]),
    crypto.subtle.importKey("spki", der(keys.rsaPublicKey, "public"), RSA, true, ["verify"]),
    crypto.subtle.importKey("pkcs8", der(keys.ed25519PrivateKey, "private"), ED25519, true, ["sign"]),
    crypto.subtle.importKey("spki", der(keys.ed25519PublicKey, "public"), ED25519, true, ["verify"]),
  ]);
  return [
    { privateKey: rsaPrivate, publicKey: rsaPublic },
    { privateKey: edPrivate, publicKey: edPublic },
  ];
}
