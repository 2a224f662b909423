import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { distinctHashtags, findHashtags, formatStatusText, isHashtagName, normalizeHashtag } from "../../src/domain/status-text.ts";
import { parseSearchQuery } from "../../src/services/search/terms.ts";

const names = (text: string) => findHashtags(text).map((t) => t.name);

describe("hashtags (Mastodon's Tag::HASHTAG_RE)", () => {
  it("finds tags after spaces and punctuation, not inside words, URLs or after = / )", () => {
    assert.deepEqual(names("#one two #Two_2 (#three) #four."), ["one", "Two_2", "three", "four"]);
    assert.deepEqual(names("x#no a=#no a/#no a)#no"), []);
    assert.deepEqual(names("see https://example.com/page#anchor and http://x.example/#/route"), []);
    assert.deepEqual(names("#foo#bar"), ["foo"]);
    assert.deepEqual(names("＃ｆｕｌｌ"), ["ｆｕｌｌ"]);
  });

  it("needs a letter: all digits or underscores are no tag", () => {
    assert.deepEqual(names("#123 #_ #__ #2024"), []);
    assert.deepEqual(names("#1a #_x #a1"), ["1a", "_x", "a1"]);
    assert.equal(isHashtagName("123"), false);
    assert.equal(isHashtagName("abc"), true);
    assert.equal(isHashtagName("a b"), false);
  });

  it("takes letters of every script and Mastodon's separators", () => {
    assert.deepEqual(names("#日本語 #Привет #café #a·b #テスト・タグ"), ["日本語", "Привет", "café", "a·b", "テスト・タグ"]);
  });

  it("normalizes case, width and Latin accents, as HashtagNormalizer", () => {
    assert.equal(normalizeHashtag("Fediverse"), "fediverse");
    assert.equal(normalizeHashtag("ＦＵＬＬ"), "full");
    assert.equal(normalizeHashtag("Café"), "cafe");
    assert.equal(normalizeHashtag("Привет"), "привет");
    assert.deepEqual(distinctHashtags("#Cat #cat #CAT #dog"), [{ name: "Cat", normalized: "cat" }, { name: "dog", normalized: "dog" }]);
  });

  it("renders Mastodon's hashtag links only when asked", () => {
    const url = (n: string) => `https://h.example/tags/${encodeURIComponent(n)}`;
    assert.equal(formatStatusText("hi #Tag", () => null), "<p>hi #Tag</p>");
    assert.equal(formatStatusText("hi #Tag", () => null, url), '<p>hi <a href="https://h.example/tags/Tag" class="mention hashtag" rel="tag">#<span>Tag</span></a></p>');
    assert.equal(
      formatStatusText("#a&b", () => null, url),
      '<p><a href="https://h.example/tags/a" class="mention hashtag" rel="tag">#<span>a</span></a>&amp;b</p>',
    );
  });
});

describe("search terms", () => {
  it("splits words on punctuation, lower-cases them, and reads phrases, -word and from:", () => {
    assert.deepEqual(parseSearchQuery("Hello, World -Spam it's"), { terms: { words: ["hello", "world", "it", "s"], phrases: [], excluded: ["spam"] }, from: null });
    assert.deepEqual(parseSearchQuery('"Red Panda" -"no thanks" "single" from:@alice'), {
      terms: { words: ["single"], phrases: [["red", "panda"]], excluded: ["no", "thanks"] },
      from: "alice",
    });
    assert.deepEqual(parseSearchQuery("   "), { terms: { words: [], phrases: [], excluded: [] }, from: null });
    assert.deepEqual(parseSearchQuery("Привет мир - from:"), { terms: { words: ["привет", "мир", "from"], phrases: [], excluded: [] }, from: null });
  });
});
