import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The body of the inbox request being handled, as the guard read and parsed it: the listener enqueues exactly what
 * was signed, and skips re-serialising the activity Fedify parsed (JSON-LD compaction costs about a millisecond
 * a request). Fedify does not hand its listeners the request; the guard runs the rest of the request inside
 * this storage, so each listener sees its own request's body and no other.
 */
export const rawBody = new AsyncLocalStorage<{ readonly text: string; readonly json: Record<string, unknown> }>();
