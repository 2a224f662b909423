/**
 * Rules for media keys shared by the stores. Keys come from Herd's own code, but they are built from ids and file
 * names that travel through requests, so each store refuses anything that could name a path outside its root.
 */

/**
 * Throws unless `key` is a relative, slash-separated path whose segments are plain names: no `.`/`..`, no segment
 * starting with a dot (the local store keeps its sidecar and temporary files there), no empty segment, no
 * backslash, no NUL, no leading slash.
 */
export function assertMediaKey(key: string): void {
  const refuse = (why: string): never => {
    throw new Error(`invalid media key ${JSON.stringify(key)}: ${why}`);
  };
  if (typeof key !== "string" || key.length === 0) refuse("it is empty");
  if (key.length > 1024) refuse("it is longer than 1024 characters");
  if (key.includes("\0")) refuse("it contains a NUL byte");
  if (key.includes("\\")) refuse("it contains a backslash");
  if (key.startsWith("/")) refuse("it is an absolute path");
  for (const segment of key.split("/")) {
    if (segment === "") refuse("it has an empty path segment");
    if (segment === "." || segment === "..") refuse("it contains a relative path segment");
    if (segment.startsWith(".")) refuse("a path segment starts with a dot");
  }
}

/** Percent-encodes each segment of a key for use in a URL path, keeping the slashes. */
export function encodeKeyPath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/** Orders keys by their UTF-8 bytes, as S3 lists them, so both stores page alike. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Throws a RangeError unless `range` is a valid inclusive byte range: whole numbers, start ≥ 0, end ≥ start. */
export function assertByteRange(range: { start: number; end?: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start)))
    throw new RangeError(`invalid byte range ${start}-${end ?? ""}`);
}
