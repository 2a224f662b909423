import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { profileProblem } from "../../src/domain/profile.ts";
import { countedLength, findUrls, formatFieldValue, formatPlainText } from "../../src/domain/text-format.ts";
import { normalizeDomain } from "../../src/services/relationships/domain-blocks.ts";
import { localUsernameOf } from "../../src/services/accounts/read-accounts.ts";

describe("plain text to HTML", () => {
  it("escapes markup and quotes", () => {
    assert.equal(formatPlainText(`<script>alert("x")</script> & 'q'`), "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>");
  });

  it("makes paragraphs of blank-line blocks and <br /> of single line breaks, CRLF included", () => {
    assert.equal(formatPlainText("one\r\ntwo\r\n\r\n\r\nthree"), "<p>one<br />two</p><p>three</p>");
    assert.equal(formatPlainText("  \n "), "");
  });

  it("links http(s) URLs as Mastodon does, leaving sentence punctuation out", () => {
    const html = formatPlainText("see https://www.example.com/x?a=1&b=2.");
    assert.equal(
      html,
      '<p>see <a href="https://www.example.com/x?a=1&amp;b=2" target="_blank" rel="nofollow noopener" translate="no">' +
        '<span class="invisible">https://www.</span><span class="">example.com/x?a=1&amp;b=2</span><span class="invisible"></span></a>.</p>',
    );
    assert.deepEqual(findUrls("(https://example.com/a_(b)) and https://x.example)").map((u) => u.url), ["https://example.com/a_(b)", "https://x.example"]);
    assert.deepEqual(findUrls("javascript:alert(1) ftp://x.example https:// http://"), []);
    assert.ok(!formatPlainText('https://example.com/"onmouseover="x').includes('"onmouseover'));
  });

  it("adds rel=me to field links and keeps fields on one line", () => {
    assert.match(formatFieldValue("https://me.example"), /rel="nofollow noopener me"/);
    assert.equal(formatFieldValue("he/him <3"), "he/him &lt;3");
  });

  it("counts links as 23 characters and characters as code points", () => {
    assert.equal(countedLength("a https://example.com/" + "x".repeat(200)), 2 + 23);
    assert.equal(countedLength("🐑🐑"), 2);
    assert.equal(profileProblem({ displayName: "🐑".repeat(30) }), null);
    assert.match(profileProblem({ displayName: "🐑".repeat(31) })!, /Display name is too long/);
  });
});

describe("addresses and domains", () => {
  it("reads local usernames out of addresses", () => {
    assert.equal(localUsernameOf("@Alice@Herd.Test", "herd.test"), "Alice");
    assert.equal(localUsernameOf("alice", "herd.test"), "alice");
    assert.equal(localUsernameOf("alice@other.example", "herd.test"), null);
    assert.equal(localUsernameOf("@", "herd.test"), null);
  });

  it("normalizes domains as Mastodon stores them", () => {
    assert.deepEqual(normalizeDomain(" Example.COM/ "), { domain: "example.com" });
    assert.deepEqual(normalizeDomain("münchen.example"), { domain: "xn--mnchen-3ya.example" });
    for (const bad of ["a b.example", "https://x.example", "user@x.example", "x..example", "x.example:443"])
      assert.ok("problem" in normalizeDomain(bad), bad);
    assert.deepEqual(normalizeDomain("   "), { problem: "Validation failed: Domain can't be blank" });
  });
});
