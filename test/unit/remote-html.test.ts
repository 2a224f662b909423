import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { MAX_REMOTE_HTML_LENGTH, remoteTextToHtml, sanitizeRemoteHtml, stripHtml } from "../../src/domain/remote-html.ts";

interface CorpusCase {
  name: string;
  html: string;
  expect?: string;
  keeps?: string[];
  forbidText?: string[];
  deep?: number;
}

const corpus = JSON.parse(readFileSync(new URL("../fixtures/xss/corpus.json", import.meta.url), "utf8")) as { cases: CorpusCase[] };

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ["href", "rel", "target", "class", "translate"],
  span: ["class", "translate"],
  ol: ["start", "reversed"],
  li: ["value"],
};
const ALLOWED_TAGS = new Set(["p", "br", "span", "a", "del", "pre", "code", "b", "strong", "u", "i", "em", "ul", "ol", "li", "blockquote"]);
const KEPT_CLASSES = new Set(["h-card", "mention", "hashtag", "invisible", "ellipsis", "u-url"]);

/**
 * Checks sanitizer output as a browser would read it. The output is expected to be canonical (double-quoted
 * attributes, `<` and `>` escaped in text and values), so a plain scan sees every tag; a stray `<` that is not
 * such a tag fails the check too.
 */
function assertSafe(out: string, label: string): void {
  const tagRe = /<(\/?)([a-z0-9]+)((?:\s+(?:[a-z-]+="[^"<>]*"|reversed))*)\s*(\/?)>/g;
  let rest = out;
  for (const m of out.matchAll(tagRe)) {
    const [, , name, attrs] = m;
    assert.ok(ALLOWED_TAGS.has(name), `${label}: tag <${name}> in ${out}`);
    for (const a of attrs.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
      const [, attr, value = ""] = a;
      assert.ok(ALLOWED_ATTRIBUTES[name]?.includes(attr), `${label}: attribute ${attr} on <${name}> in ${out}`);
      if (attr === "href") assert.match(value, /^https?:\/\/[^\s]/i, `${label}: href ${value}`);
      if (attr === "class") for (const c of value.split(/\s+/)) assert.ok(KEPT_CLASSES.has(c), `${label}: class ${c}`);
      if (attr === "rel") assert.equal(value, "nofollow noopener");
      if (attr === "target") assert.equal(value, "_blank");
      if (attr === "start" || attr === "value") assert.match(value, /^-?\d+$/);
    }
    rest = rest.replace(m[0], "");
  }
  assert.ok(!/[<>]/.test(rest), `${label}: unescaped angle bracket outside a tag in ${out}`);
  assert.ok(!/<[^>]*\son[a-z]+="/i.test(out), `${label}: event handler in ${out}`);
  assert.ok(!/<[^>]*(javascript|vbscript|data):/i.test(out), `${label}: dangerous scheme in a tag in ${out}`);
  assert.ok(!/<[^>]*style=/i.test(out), `${label}: style attribute in ${out}`);
}

describe("remote HTML sanitizer: XSS corpus", () => {
  it("has at least 40 cases", () => {
    assert.ok(corpus.cases.length >= 40, `${corpus.cases.length} cases`);
  });

  for (const c of corpus.cases) {
    it(c.name, () => {
      const html = c.deep ? `${"<span><b>".repeat(c.deep)}${c.html}${"</b></span>".repeat(c.deep)}` : c.html;
      const out = sanitizeRemoteHtml(html);
      assertSafe(out, c.name);
      if (c.expect !== undefined) assert.equal(out, c.expect);
      for (const k of c.keeps ?? []) assert.ok(out.includes(k), `${c.name}: expected ${k} in ${out}`);
      for (const f of c.forbidText ?? []) assert.ok(!out.includes(f), `${c.name}: ${f} survived in ${out}`);
      assert.ok(!/<script/i.test(out));
      // Sanitizing twice must change nothing: stored HTML re-sanitized (on edit, on refetch) stays as it was.
      assert.equal(sanitizeRemoteHtml(out), out, `${c.name}: not stable`);
      if (c.deep) {
        assert.ok(out.includes("DEEP"));
        const depth = Math.max(...[...out.matchAll(/^(?:<(?:span|b)>)+/g)].map((m) => m[0].split("<").length - 1));
        assert.ok(depth <= 40, `nesting ${depth} kept`);
      }
    });
  }

  it("never lets a corpus case's text become stripHtml markup", () => {
    for (const c of corpus.cases) {
      // Markup written as entities is text the author typed; stripHtml rightly gives those characters back.
      if (c.html.includes("&lt;")) continue;
      const text = stripHtml(c.html);
      assert.ok(!/<script|<img|<svg|<iframe/i.test(text), `${c.name}: ${text}`);
    }
  });
});

describe("remote HTML sanitizer: Mastodon markup survives", () => {
  it("keeps a Mastodon mention and hashtag exactly as Mastodon sends them (rel and target set by us)", () => {
    const html =
      '<p><span class="h-card" translate="no"><a href="https://mastodon.example/@bob" class="u-url mention">@<span>bob</span></a></span> ' +
      'hi <a href="https://mastodon.example/tags/fediverse" class="mention hashtag" rel="tag">#<span>fediverse</span></a></p>';
    assert.equal(
      sanitizeRemoteHtml(html),
      '<p><span class="h-card" translate="no"><a href="https://mastodon.example/@bob" rel="nofollow noopener" target="_blank" class="u-url mention">@<span>bob</span></a></span> ' +
        'hi <a href="https://mastodon.example/tags/fediverse" rel="nofollow noopener" target="_blank" class="mention hashtag">#<span>fediverse</span></a></p>',
    );
  });

  it("keeps Mastodon's shortened-link spans", () => {
    const html =
      '<p><a href="https://www.example.com/a/very/long/path/indeed" target="_blank" rel="nofollow noopener noreferrer" translate="no">' +
      '<span class="invisible">https://www.</span><span class="ellipsis">example.com/a/very/long/pa</span><span class="invisible">th/indeed</span></a></p>';
    assert.equal(
      sanitizeRemoteHtml(html),
      '<p><a href="https://www.example.com/a/very/long/path/indeed" rel="nofollow noopener" target="_blank" translate="no">' +
        '<span class="invisible">https://www.</span><span class="ellipsis">example.com/a/very/long/pa</span><span class="invisible">th/indeed</span></a></p>',
    );
  });

  it("keeps the inline and block elements Mastodon 4.2+ keeps, and entities as entities", () => {
    const html =
      "<p><b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <del>d</del> <code>c &amp; &lt;x&gt;</code></p>" +
      "<pre><code>let a = 1;</code></pre><blockquote><p>q</p></blockquote><ul><li>one</li></ul><ol start=\"2\" reversed><li value=\"5\">two</li></ol><p>a<br>b</p>";
    assert.equal(
      sanitizeRemoteHtml(html),
      "<p><b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <del>d</del> <code>c &amp; &lt;x&gt;</code></p>" +
        '<pre><code>let a = 1;</code></pre><blockquote><p>q</p></blockquote><ul><li>one</li></ul><ol start="2" reversed><li value="5">two</li></ol><p>a<br />b</p>',
    );
  });

  it("turns headings into bold paragraphs", () => {
    assert.equal(sanitizeRemoteHtml("<h1>Big</h1><h6>small</h6>"), "<p><strong>Big</strong></p><p><strong>small</strong></p>");
  });

  it("keeps a Misskey/Pleroma-style mention with a plain http link", () => {
    assert.equal(
      sanitizeRemoteHtml('<p><a href="http://misskey.example/@carol" class="u-url mention">@carol@misskey.example</a></p>'),
      '<p><a href="http://misskey.example/@carol" rel="nofollow noopener" target="_blank" class="u-url mention">@carol@misskey.example</a></p>',
    );
  });

  it("keeps characters outside ASCII, emoji shortcodes and bidi text as text", () => {
    assert.equal(sanitizeRemoteHtml("<p>héllo :blobcat: مرحبا 🐘</p>"), "<p>héllo :blobcat: مرحبا 🐘</p>");
  });

  it("returns empty output for empty or tag-only input and drops NUL", () => {
    assert.equal(sanitizeRemoteHtml(""), "");
    assert.equal(sanitizeRemoteHtml("<script></script>"), "");
    assert.equal(sanitizeRemoteHtml("<p>a\0b</p>"), "<p>ab</p>");
  });
});

describe("remote HTML sanitizer: size", () => {
  it("cuts input past the length limit, so a megabyte of unclosed tags costs no more than the limit", () => {
    const hostile = "<span>".repeat(1024 * 1024 / 6);
    const out = sanitizeRemoteHtml(hostile);
    assertSafe(out, "hostile nesting");
    assert.ok(out.length < 1000, `${out.length} characters kept`);
    const long = `<p>${"a".repeat(MAX_REMOTE_HTML_LENGTH * 2)}</p>`;
    const kept = sanitizeRemoteHtml(long);
    assert.equal(kept, `<p>${"a".repeat(MAX_REMOTE_HTML_LENGTH - 3)}</p>`);
    assert.equal(stripHtml(long).length, MAX_REMOTE_HTML_LENGTH - 3);
  });
});

describe("stripHtml", () => {
  it("removes every tag and decodes entities once", () => {
    assert.equal(stripHtml('<span class="x">Alice</span> <b>&amp;</b> Bob &lt;3 &amp;lt;'), "Alice & Bob <3 &lt;");
    assert.equal(stripHtml("caf&eacute; &#x1F418; &quot;q&quot; &#39;s&#39;"), "café 🐘 \"q\" 's'");
  });

  it("leaves plain text alone, angle brackets included", () => {
    assert.equal(stripHtml("Alice <3 & a < b > c"), "Alice <3 & a < b > c");
    assert.equal(stripHtml("  spaced  "), "spaced");
  });

  it("turns paragraphs and line breaks into newlines", () => {
    assert.equal(stripHtml("<p>one<br>two</p><p>three</p><h1>four</h1>"), "one\ntwo\n\nthree\n\nfour");
  });

  it("drops script, style and iframe contents entirely", () => {
    assert.equal(stripHtml("<script>alert(1)</script><style>p{}</style><iframe>x</iframe>name"), "name");
  });
});

describe("remoteTextToHtml", () => {
  it("escapes and paragraphs plain remote text without linking it", () => {
    assert.equal(remoteTextToHtml("a <b> & \"c\"\nnext\r\n\r\nhttps://x.example"), "<p>a &lt;b&gt; &amp; &quot;c&quot;<br />next</p><p>https://x.example</p>");
    assert.equal(remoteTextToHtml("\n\n"), "");
  });

  it("produces what the sanitizer keeps unchanged", () => {
    const html = remoteTextToHtml("<script>x</script>\nline");
    assert.equal(sanitizeRemoteHtml(html), html.replace("&#39;", "'"));
  });
});
