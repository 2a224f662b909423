/**
 * The Fedify-backed modules that jobs load on first use (a worker that never federates never carries Fedify,
 * about 60 MiB). Each is imported once and the promise kept: `import()` of a module already loaded still resolves
 * the specifier and looks the module up again, tens of microseconds per call, and these run for every incoming
 * activity and every delivery. A failed import is not kept, so the next job tries again.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
}

/** Translation and storing of incoming activities and fetched objects. */
export const ingestRunModule = once(() => import("./inbox/ingest-run.ts"));
/** Signed requests as the instance's actors. */
export const signingModule = once(() => import("./signing.ts"));
/** Rendering and addressing of outgoing activities. */
export const federateModule = once(() => import("./outbox/federate.ts"));
