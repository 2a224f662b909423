import { err, ok, type Result } from "../../domain/result.ts";
import { parseScopes } from "../../domain/scopes.ts";
import { fieldError, type FieldError } from "../../domain/validation.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { OAuthApplication } from "../../ports/repositories/oauth.ts";
import { generateSecret, hashSecret } from "../auth/tokens.ts";

/** The redirect URI that asks the authorization page to show the code instead of redirecting. */
export const OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob";

const NAME_MAX = 60;
const URI_MAX = 2_000;
// Schemes a browser would execute or read locally: never a place to send an authorization code.
const FORBIDDEN_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "about:", "blob:"]);

export interface RegisterApplicationInput {
  readonly name: string | undefined;
  /** As sent: one string (URIs separated by whitespace) or several. */
  readonly redirectUris: readonly string[];
  readonly scopes: string | undefined;
  readonly website: string | undefined;
}

/**
 * Registers an OAuth application as POST /api/v1/apps does. The client secret is returned once, here; only
 * its hash is stored. Problems come back worded as Mastodon (Doorkeeper) words them.
 */
export async function registerApplication(
  deps: { readonly db: Database; readonly clock: Clock },
  input: RegisterApplicationInput,
): Promise<Result<{ application: OAuthApplication; clientSecret: string }, FieldError[]>> {
  const errors: FieldError[] = [];
  const name = (input.name ?? "").trim();
  if (name === "") errors.push(fieldError.blank("name"));
  else if (name.length > NAME_MAX) errors.push(fieldError.tooLong("name", NAME_MAX));

  const uris = input.redirectUris.flatMap((u) => u.split(/\s+/)).filter(Boolean);
  if (uris.length === 0) errors.push(fieldError.blank("redirect_uri"));
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) {
      errors.push(fieldError.invalid("redirect_uri", problem));
      break;
    }
  }

  const scopesText = (input.scopes ?? "").trim() || "read";
  const scopes = parseScopes(scopesText);
  if (!scopes || scopes.length === 0) errors.push(fieldError.invalid("scopes", "doesn't match configured on the server."));

  const website = (input.website ?? "").trim() || null;
  if (website !== null && !isWebUrl(website)) errors.push(fieldError.invalid("website"));
  if (errors.length > 0) return err(errors);

  const clientSecret = generateSecret();
  const application: OAuthApplication = {
    id: await deps.db.nextId(),
    name,
    clientId: generateSecret(),
    redirectUris: [...new Set(uris)],
    scopes: scopes!,
    website,
    createdAt: deps.clock.now(),
  };
  await deps.db.repos.oauth.createApplication({
    ...application,
    clientSecretHash: hashSecret(clientSecret),
    ownerUserId: null,
    now: application.createdAt,
  });
  return ok({ application, clientSecret });
}

/** Doorkeeper's redirect URI rules: absolute, no fragment; plus a refusal of schemes a browser would run. */
function redirectUriProblem(uri: string): string | null {
  if (uri === OOB_REDIRECT_URI) return null;
  if (uri.length > URI_MAX) return `is too long (maximum is ${URI_MAX} characters)`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "must be an absolute URI.";
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri)) return "must be an absolute URI.";
  if (url.hash !== "" || uri.includes("#")) return "cannot contain a fragment.";
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return "is forbidden by the server.";
  if ((url.protocol === "http:" || url.protocol === "https:") && url.hostname === "") return "must be an absolute URI.";
  return null;
}

function isWebUrl(text: string): boolean {
  if (text.length > URI_MAX) return false;
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}
