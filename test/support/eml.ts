/** Enough of RFC 5322 / MIME to check what a mailer produced: headers, text and HTML parts, decoded. */
export interface ParsedMail {
  /** Header values by lower-case name, unfolded, encoded words decoded; the first occurrence wins. */
  readonly headers: ReadonlyMap<string, string>;
  readonly text: string | null;
  readonly html: string | null;
}

/** Parses a raw message (CRLF or LF line ends). */
export function parseMail(raw: string | Buffer): ParsedMail {
  const found: { text: string | null; html: string | null } = { text: null, html: null };
  // Work on one character per byte so that transfer decodings see bytes; text is turned into UTF-8 at the end.
  const { headers } = parseEntity((Buffer.isBuffer(raw) ? raw : Buffer.from(raw, "utf8")).toString("latin1"), found);
  return { headers, ...found };
}

function parseEntity(source: string, found: { text: string | null; html: string | null }): { headers: Map<string, string> } {
  const normalized = source.replace(/\r\n/g, "\n");
  const split = normalized.indexOf("\n\n");
  const head = split === -1 ? normalized : normalized.slice(0, split);
  const body = split === -1 ? "" : normalized.slice(split + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeWords(line.slice(colon + 1).trim()));
  }
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`);
    for (const part of parts.slice(1)) {
      if (part.startsWith("--")) break;
      // The line break before a boundary belongs to the boundary (RFC 2046), not to the part.
      parseEntity(part.replace(/^\n/, "").replace(/\n$/, ""), found);
    }
  } else {
    const decoded = decodeBody(body, headers.get("content-transfer-encoding") ?? "7bit");
    if (/^text\/html/i.test(type)) found.html ??= decoded;
    else if (/^text\/plain/i.test(type)) found.text ??= decoded;
  }
  return { headers };
}

/** Decodes a body given as latin1 characters (one per byte) into UTF-8 text. */
function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    case "quoted-printable":
      return Buffer.from(
        body.replace(/=\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        "latin1",
      ).toString("utf8");
    default:
      return Buffer.from(body, "latin1").toString("utf8");
  }
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`); whitespace between adjacent words is dropped. */
function decodeWords(value: string): string {
  const words = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  return value
    .replace(/(\?=)\s+(=\?)/g, "$1$2")
    .replace(words, (_, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            "latin1",
          ).toString("utf8"),
    );
}
