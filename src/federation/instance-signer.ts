import { instanceActorKeys, type FederationReadDeps } from "../services/federation/actors.ts";
import type { InstanceSettings } from "../domain/instance.ts";
import type { FetchSigner } from "./document-loader.ts";
import { cryptoKeyPairs } from "./keys.ts";
import { LocalUris } from "./uris.ts";

/**
 * The instance actor's signer for outgoing fetches, loaded once per process (the key never changes while the
 * process runs; a failed load is retried on the next fetch).
 */
export function instanceFetchSigner(deps: FederationReadDeps & { readonly instance: InstanceSettings }): () => Promise<FetchSigner> {
  let loaded: Promise<FetchSigner> | null = null;
  return () =>
    (loaded ??= (async () => {
      const [rsa] = await cryptoKeyPairs(await instanceActorKeys(deps));
      return { keyId: new LocalUris(deps.instance).instanceActorKey(), privateKey: rsa.privateKey };
    })().catch((error) => {
      loaded = null;
      throw error;
    }));
}
