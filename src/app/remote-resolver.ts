import type { RemoteResolver } from "../ports/remote-resolver.ts";
import type { AccountRecord } from "../ports/repositories/accounts.ts";
import type { Container } from "./container.ts";
import { ingestRunModule } from "../federation/lazy-modules.ts";

/**
 * The container's RemoteResolver, built on first use: it needs Fedify (JSON-LD, vocabulary), which a process
 * that never resolves anything remote should not load (about 60 MiB). Statuses are fetched and stored as the
 * inbox stores incoming posts.
 */
export function lazyRemoteResolver(c: Pick<Container, "config" | "db" | "cache" | "clock" | "http" | "log" | "jobDeps">): RemoteResolver {
  let built: Promise<RemoteResolver> | null = null;
  const load = () =>
    (built ??= (async (): Promise<RemoteResolver> => {
      const [{ RemoteActors }, { guardedDocumentLoader }, { CacheKvStore }, { instanceFetchSigner }, { plainHttpPeers }] = await Promise.all([
        import("../federation/remote-actors.ts"),
        import("../federation/document-loader.ts"),
        import("../federation/fedify-kv-store.ts"),
        import("../federation/instance-signer.ts"),
        import("../federation/plain-http-peers.ts"),
      ]);
      const instance = c.jobDeps.instance;
      const signer = instanceFetchSigner({ db: c.db, cache: c.cache, clock: c.clock, instance });
      return new RemoteActors({
        db: c.db, cache: c.cache, clock: c.clock, instance, http: c.http, log: c.log,
        documentLoader: guardedDocumentLoader(c.http, new CacheKvStore(c.cache), signer),
        allowedHttp: plainHttpPeers(c.config),
        fetchSigner: signer,
      });
    })().catch((error) => {
      built = null;
      throw error;
    }));
  return {
    async resolveAccount(query: string): Promise<AccountRecord | null> {
      return (await load()).resolveAccount(query);
    },
    async resolveStatus(url: string): Promise<bigint | null> {
      // Fetched and stored as the inbox stores an incoming post (sanitized, mentions and media resolved).
      const { resolveStatusUrl } = await ingestRunModule();
      return resolveStatusUrl(c.jobDeps, url);
    },
  };
}
