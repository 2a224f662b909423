import type { InstanceSettings } from "../domain/instance.ts";
import { INSTANCE_ACTOR_KEY_ID } from "../ports/repositories/account-keys.ts";
import type { FederationReadDeps } from "../services/federation/actors.ts";
import type { FetchSigner } from "./document-loader.ts";
import { loadSigner } from "./signing.ts";

/**
 * The instance actor's signer for outgoing fetches: the same signer deliveries use (signing.ts keeps the imported
 * key per database), in the form the document loader takes.
 */
export function instanceFetchSigner(deps: FederationReadDeps & { readonly instance: InstanceSettings }): () => Promise<FetchSigner> {
  return async () => {
    const signer = await loadSigner(deps, INSTANCE_ACTOR_KEY_ID);
    if (!signer) throw new Error("the instance actor has no key");
    return signer;
  };
}
