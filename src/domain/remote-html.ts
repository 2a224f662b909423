/**
 * HTML from other servers, made safe before it is stored. The allowlist is as strict as Mastodon's
 * (its MASTODON_STRICT sanitizer config): clients render `content` and `note` as HTML, so anything a
 * remote server sends beyond the few elements Mastodon itself emits is a risk to every client, not a feature.
 */
import sanitize from "sanitize-html";
import { escapeHtml } from "./text-format.ts";

/** Classes clients give meaning to (mention/hashtag links, shortened URLs); every other class is dropped. */
const KEPT_CLASSES = ["h-card", "mention", "hashtag", "invisible", "ellipsis", "u-url"];

/**
 * Elements whose whole content goes, not just the tag: their text is code, styles or fallback content a
 * reader never sees as text, and keeping it would surface scripts as visible garbage (or worse, as markup).
 */
const DROPPED_WITH_CONTENT = [
  "script", "style", "iframe", "object", "embed", "applet", "svg", "math", "template", "noscript", "noembed",
  "noframes", "xmp", "plaintext", "textarea", "select", "option", "title", "head", "frameset", "frame",
  "canvas", "audio", "video", "picture", "map",
];

const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"];

/**
 * Input beyond this many characters is cut before parsing. The HTML parser's cost grows faster than linearly with
 * unclosed nesting (about 1.5 s for 600 kB of "<span>" on this machine), so an unbounded field is a cheap way to
 * stall an ingress worker; real posts and bios are far below this, long-form articles rarely reach it.
 */
export const MAX_REMOTE_HTML_LENGTH = 200_000;

/** A marker name sanitize-html does not allow, so the element is unwrapped and its text kept. */
const UNWRAP = "herd-unwrap";

/**
 * A link target a browser will open as a web page. Parsed as the browser would (the WHATWG parser drops tabs,
 * newlines and leading control characters, which is how "java&#9;script:" tricks work), so the scheme checked
 * is the scheme the browser sees; relative links mean nothing outside the sender's site and are refused too.
 */
function isWebUrl(href: string): boolean {
  if (!URL.canParse(href)) return false;
  const { protocol } = new URL(href);
  return protocol === "http:" || protocol === "https:";
}

function integerOrNothing(value: string | undefined): string | undefined {
  return value !== undefined && /^-?\d{1,9}$/.test(value.trim()) ? value.trim() : undefined;
}

const STRICT: sanitize.IOptions = {
  allowedTags: [
    "p", "br", "span", "a", "del", "pre", "code", "b", "strong", "u", "i", "em", "ul", "ol", "li", "blockquote",
    ...HEADINGS,
  ],
  allowedAttributes: {
    a: ["href", "rel", "class", "target", "translate"],
    span: ["class", "translate"],
    ol: ["start", "reversed"],
    li: ["value"],
  },
  allowedClasses: { a: KEPT_CLASSES, span: KEPT_CLASSES },
  allowedSchemes: ["http", "https"],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  nonTextTags: DROPPED_WITH_CONTENT,
  // Deeply nested markup is a cheap way to make every client's renderer slow; past this, tags are unwrapped.
  nestingLimit: 40,
  parser: { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  transformTags: {
    a: (_tagName, attribs) => {
      const href = attribs.href?.trim();
      // Mastodon turns a link it will not keep into its text rather than dropping what the author wrote.
      if (href === undefined || !isWebUrl(href)) return { tagName: UNWRAP, attribs: {} };
      const out: sanitize.Attributes = { href, rel: "nofollow noopener", target: "_blank" };
      if (attribs.class) out.class = attribs.class;
      if (attribs.translate === "no" || attribs.translate === "yes") out.translate = attribs.translate;
      return { tagName: "a", attribs: out };
    },
    span: (_tagName, attribs) => {
      const out: sanitize.Attributes = {};
      if (attribs.class) out.class = attribs.class;
      if (attribs.translate === "no" || attribs.translate === "yes") out.translate = attribs.translate;
      return { tagName: "span", attribs: out };
    },
    ol: (_tagName, attribs) => {
      const out: sanitize.Attributes = {};
      const start = integerOrNothing(attribs.start);
      if (start !== undefined) out.start = start;
      if ("reversed" in attribs) out.reversed = "";
      return { tagName: "ol", attribs: out };
    },
    li: (_tagName, attribs) => {
      const out: sanitize.Attributes = {};
      const value = integerOrNothing(attribs.value);
      if (value !== undefined) out.value = value;
      return { tagName: "li", attribs: out };
    },
  },
};

/**
 * Remote rich text (status content and contentMap values, bios, profile field values) reduced to the markup
 * Mastodon keeps. Headings become `<p><strong>` as in Mastodon, so a remote post cannot outshout the timeline.
 */
export function sanitizeRemoteHtml(html: string): string {
  const clean = sanitize(boundedInput(html), STRICT);
  // The sanitizer's output is canonical — text and attribute values escaped, headings without attributes — so a
  // literal "<h1>" in it can only be the tag itself.
  return clean.replace(/<h[1-6]>/g, "<p><strong>").replace(/<\/h[1-6]>/g, "</strong></p>").trim();
}

const PLAIN: sanitize.IOptions = {
  allowedTags: ["p", "br"],
  allowedAttributes: {},
  disallowedTagsMode: "discard",
  nonTextTags: DROPPED_WITH_CONTENT,
  parser: { decodeEntities: true, lowerCaseTags: true },
  transformTags: {
    li: () => ({ tagName: "p", attribs: {} }),
    blockquote: () => ({ tagName: "p", attribs: {} }),
    div: () => ({ tagName: "p", attribs: {} }),
    ...Object.fromEntries(HEADINGS.map((h) => [h, () => ({ tagName: "p", attribs: {} })])),
  },
};

/**
 * Remote text that must be shown as plain text (display names, poll option titles, content warnings, media
 * descriptions): every tag removed, entities decoded, paragraph and line breaks kept as newlines. The result is
 * text, not HTML: whoever renders it escapes it.
 */
export function stripHtml(html: string): string {
  const kept = sanitize(boundedInput(html), PLAIN);
  // Only <p>, </p> and <br /> can be tags here; everything else is escaped text, decoded last so that text which
  // looked like a tag ("&lt;b&gt;") comes back as the characters the author typed.
  return kept
    .replace(/<br \/>/g, "\n")
    .replace(/<\/p>\s*<p>/g, "\n\n")
    .replace(/<\/?p>/g, "\n")
    .replace(/&(lt|gt|quot|amp);/g, (_m, name: string) => ({ lt: "<", gt: ">", quot: '"', amp: "&" })[name] ?? "")
    .replace(/[ \t]*\n[ \t]*/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Plain text from a remote server (a sender that offers no HTML, such as an object with only a `name`) as the
 * HTML Herd stores for remote content: escaped, blank lines as paragraphs, line breaks as `<br>`. No linking:
 * the sender chose not to mark anything up.
 */
export function remoteTextToHtml(text: string): string {
  const paragraphs = boundedInput(text)
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
  return paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br />")}</p>`).join("");
}

/** Input cut to the length limit, without NUL characters (PostgreSQL refuses them in text columns). */
function boundedInput(s: string): string {
  const bounded = s.length > MAX_REMOTE_HTML_LENGTH ? s.slice(0, MAX_REMOTE_HTML_LENGTH) : s;
  return bounded.includes("\0") ? bounded.replaceAll("\0", "") : bounded;
}
