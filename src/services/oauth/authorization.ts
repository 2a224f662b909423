import { createHash, timingSafeEqual } from "node:crypto";
import { err, ok, type Result } from "../../domain/result.ts";
import { parseScopes, scopeAllows } from "../../domain/scopes.ts";
import type { Database } from "../../ports/database.ts";
import type { Clock } from "../../ports/clock.ts";
import type { OAuthApplication } from "../../ports/repositories/oauth.ts";
import { generateSecret, hashSecret } from "../auth/tokens.ts";

/** How long an authorization code lives (RFC 6749 recommends at most ten minutes). */
export const CODE_TTL_MS = 10 * 60_000;
const DEFAULT_SCOPE = "read";
// RFC 7636 §4.1-4.2: 43 to 128 characters of the unreserved set, for verifiers and challenges alike.
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export type CodeChallengeMethod = "S256" | "plain";

/** The query of GET /oauth/authorize, as sent. */
export interface AuthorizationRequest {
  readonly responseType: string | undefined;
  readonly clientId: string | undefined;
  readonly redirectUri: string | undefined;
  readonly scope: string | undefined;
  readonly state: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: string | undefined;
}

/** A checked authorization request: what the consent page shows and what a code will be bound to. */
export interface PreAuthorization {
  readonly application: OAuthApplication;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: CodeChallengeMethod | null;
}

/** Why a request cannot be authorized. None of these redirect: the client or its redirect URI is not trusted yet. */
export type AuthorizationProblem =
  | { kind: "invalid_request"; missing: string }
  | { kind: "invalid_client" }
  | { kind: "invalid_redirect_uri" }
  | { kind: "unsupported_response_type" }
  | { kind: "invalid_scope" }
  | { kind: "invalid_code_challenge_method" }
  | { kind: "invalid_code_challenge" };

/** Doorkeeper's descriptions, which Mastodon shows on its error page. */
export const AUTHORIZATION_PROBLEM_TEXT: Record<AuthorizationProblem["kind"], string> = {
  invalid_request: "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.",
  invalid_client: "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
  invalid_redirect_uri: "The requested redirect uri is malformed or doesn't match client redirect URI.",
  unsupported_response_type: "The authorization server does not support this response type.",
  invalid_scope: "The requested scope is invalid, unknown, or malformed.",
  invalid_code_challenge_method: "The code challenge method must be plain or S256.",
  invalid_code_challenge: "The code challenge must be 43 to 128 characters of letters, digits and -._~.",
};

/** Checks an authorization request against the registered application (Doorkeeper's pre-authorization). */
export async function preAuthorize(db: Database, req: AuthorizationRequest): Promise<Result<PreAuthorization, AuthorizationProblem>> {
  if (!req.clientId) return err({ kind: "invalid_request", missing: "client_id" });
  const application = await db.repos.oauth.findApplicationByClientId(req.clientId);
  if (!application) return err({ kind: "invalid_client" });
  if (!req.redirectUri) return err({ kind: "invalid_request", missing: "redirect_uri" });
  if (!application.redirectUris.includes(req.redirectUri)) return err({ kind: "invalid_redirect_uri" });
  if (!req.responseType) return err({ kind: "invalid_request", missing: "response_type" });
  if (req.responseType !== "code") return err({ kind: "unsupported_response_type" });
  const scopes = parseScopes((req.scope ?? "").trim() || DEFAULT_SCOPE);
  if (!scopes || scopes.length === 0 || !scopesWithin(scopes, application.scopes)) return err({ kind: "invalid_scope" });
  let codeChallenge: string | null = null;
  let codeChallengeMethod: CodeChallengeMethod | null = null;
  if (req.codeChallenge) {
    // RFC 7636 §4.3: a challenge without a method is a plain one.
    const method = req.codeChallengeMethod || "plain";
    if (method !== "S256" && method !== "plain") return err({ kind: "invalid_code_challenge_method" });
    if (!PKCE_VALUE.test(req.codeChallenge)) return err({ kind: "invalid_code_challenge" });
    codeChallenge = req.codeChallenge;
    codeChallengeMethod = method;
  } else if (req.codeChallengeMethod) {
    return err({ kind: "invalid_request", missing: "code_challenge" });
  }
  return ok({ application, redirectUri: req.redirectUri, scopes, state: req.state || null, codeChallenge, codeChallengeMethod });
}

/** True when every requested scope is granted by the application's scopes (a granular scope by its parent). */
export function scopesWithin(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((s) => scopeAllows(allowed, s));
}

/** Issues a single-use code for the signed-in user's consent; only its hash is stored. */
export async function grantAuthorization(deps: { db: Database; clock: Clock }, pre: PreAuthorization, userId: bigint): Promise<string> {
  const code = generateSecret();
  const now = deps.clock.now();
  await deps.db.repos.oauth.createGrant({
    id: await deps.db.nextId(),
    codeHash: hashSecret(code),
    applicationId: pre.application.id,
    userId,
    redirectUri: pre.redirectUri,
    scopes: pre.scopes,
    codeChallenge: pre.codeChallenge,
    codeChallengeMethod: pre.codeChallengeMethod,
    expiresAt: now + CODE_TTL_MS,
    now,
  });
  return code;
}

/** RFC 7636 §4.6: does the verifier match the challenge stored with the code? Constant-time. */
export function verifyCodeVerifier(verifier: string, challenge: string, method: CodeChallengeMethod): boolean {
  if (!PKCE_VALUE.test(verifier)) return false;
  const computed = method === "S256" ? createHash("sha256").update(verifier, "ascii").digest("base64url") : verifier;
  const a = Buffer.from(computed);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The redirect URI with the response parameters added to its query (keeping the query it already has). */
export function redirectWithParams(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.append(k, v);
  return url.toString();
}
