import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FilterWithRules } from "../../src/ports/repositories/filters.ts";
import type { StatusRecord } from "../../src/ports/repositories/statuses.ts";
import { compileFilter, htmlToPlainText, matchFilters, searchableText } from "../../src/services/filters/filter-match.ts";

function status(over: Partial<StatusRecord> = {}): StatusRecord {
  return {
    id: 100n, accountId: 1n, text: "", spoilerText: "", visibility: "public", sensitive: false, language: null,
    inReplyToId: null, inReplyToAccountId: null, reblogOfId: null, conversationId: null, uri: null, url: null,
    applicationId: null, repliesCount: 0, reblogsCount: 0, favouritesCount: 0, mediaAttachmentIds: null,
    createdAt: 0, updatedAt: 0, editedAt: null, deletedAt: null, ...over,
  };
}

function filter(keywords: [string, boolean][], statusIds: bigint[] = []): FilterWithRules {
  return {
    id: 7n, accountId: 2n, title: "f", context: ["home"], action: "warn", expiresAt: null, createdAt: 0, updatedAt: 0,
    keywords: keywords.map(([keyword, wholeWord], i) => ({ id: BigInt(i + 1), filterId: 7n, keyword, wholeWord })),
    statuses: statusIds.map((statusId, i) => ({ id: BigInt(i + 50), filterId: 7n, statusId })),
  };
}

/** The text a single keyword matches in `text`, or null. */
function matchOf(keyword: string, wholeWord: boolean, text: string, spoilerText = ""): string | null {
  const s = status({ text, spoilerText });
  const [m] = matchFilters([compileFilter(filter([[keyword, wholeWord]]))], s, s);
  return m?.keywordMatches?.[0] ?? null;
}

// keyword, whole_word, status text → the matched text (null: no match).
const TABLE: [string, boolean, string, string | null][] = [
  ["bad", true, "this is bad.", "bad"],
  ["bad", true, "badly done", null],
  ["bad", false, "badly done", "bad"],
  ["bad", true, "a BAD idea", "BAD"],
  ["Bad Word", false, "such a bad word here", "bad word"],
  ["bad word", true, "bad words", null],
  ["bad word", true, "(bad word)", "bad word"],
  ["bad", true, "un_bad", null],
  ["bad", true, "bad2", null],
  ["bad", true, "x-bad-y", "bad"],
  // Unicode letters are word characters on both sides: no boundary inside "größe" or "caféine".
  ["café", true, "un café noir", "café"],
  ["café", true, "caféine", null],
  ["café", false, "caféine", "café"],
  ["grö", true, "größe", null],
  ["ÉTÉ", true, "un été chaud", "été"],
  ["猫", false, "我的猫很可爱", "猫"],
  ["кот", true, "мой кот спит", "кот"],
  ["кот", true, "котик", null],
  // Hashtags: the # is no word character, so only the word side needs a boundary.
  ["#cats", true, "look #cats!", "#cats"],
  ["#cats", true, "look #catsanddogs", null],
  ["#cats", true, "look a#cats", "#cats"],
  ["cats", true, "look #cats", "cats"],
  ["cats", true, "#catsup", null],
  // Keywords that end in punctuation need no boundary there.
  ["@twitter.com", false, "via bob@twitter.com", "@twitter.com"],
  ["https://t.co/", true, "see https://t.co/abc", "https://t.co/"],
  ["a.b", true, "axb", null],
  ["(x)", false, "f(x) = 1", "(x)"],
  ["e-mail", true, "send e-mail now", "e-mail"],
  ["[a-z]+", false, "regex [a-z]+ literal", "[a-z]+"],
  ["a|b", false, "just a here", null],
  ["x^2 $5 {1} \\d", false, "x^2 $5 {1} \\d", "x^2 $5 {1} \\d"],
  ["", false, "anything", null],
];

describe("filter keyword matching (Mastodon's CustomFilterKeyword#to_regex)", () => {
  for (const [keyword, wholeWord, text, expected] of TABLE) {
    it(`${JSON.stringify(keyword)} ${wholeWord ? "whole word" : "anywhere"} in ${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(matchOf(keyword, wholeWord, text), expected);
    });
  }

  it("matches the content warning as well as the text", () => {
    assert.equal(matchOf("spoiler", true, "nothing here", "contains spoiler"), "spoiler");
    assert.equal(matchOf("here", true, "", "nothing here"), "here");
    assert.equal(searchableText(status({ text: "body", spoilerText: "cw" })), "cw\n\nbody");
  });

  it("matches poll options and media descriptions when they are given", () => {
    const s = status({ text: "plain" });
    assert.equal(searchableText(s, { pollOptions: ["yes", "no"], mediaDescriptions: ["a cat"] }), "\n\nplain\n\nyes\n\nno\n\na cat");
    const [m] = matchFilters([compileFilter(filter([["cat", true]]))], s, s, { mediaDescriptions: ["a cat"] });
    assert.deepEqual(m.keywordMatches, ["cat"]);
  });

  it("reads remote statuses as plain text (no match inside tags or entities)", () => {
    assert.equal(htmlToPlainText("<p>a &amp; b<br>c</p><p>d &#39;e&#x27;</p>"), "a & b\nc\n\nd 'e'");
    const remote = status({ uri: "https://remote.example/s/1", text: '<p><a href="https://bad.example/">link</a> fine</p>' });
    assert.deepEqual(matchFilters([compileFilter(filter([["bad", false]]))], remote, remote), []);
    const amp = status({ uri: "https://remote.example/s/2", text: "<p>fish &amp; chips</p>" });
    assert.equal(matchFilters([compileFilter(filter([["fish & chips", true]]))], amp, amp)[0].keywordMatches?.[0], "fish & chips");
  });

  it("reports the first keyword that matches, by position in the text", () => {
    const s = status({ text: "second then first" });
    const [m] = matchFilters([compileFilter(filter([["first", true], ["second", true]]))], s, s);
    assert.deepEqual(m.keywordMatches, ["second"]);
    assert.equal(m.statusMatches, null, "a filter without status rules reports null");
  });

  it("matches status rules on the status and on the status a boost boosts, and the boosted text", () => {
    const original = status({ id: 10n, text: "original words" });
    const boost = status({ id: 11n, reblogOfId: 10n, accountId: 3n });
    const byStatus = compileFilter(filter([], [10n]));
    assert.deepEqual(matchFilters([byStatus], boost, original)[0].statusMatches, [10n]);
    assert.deepEqual(matchFilters([byStatus], original, original)[0].statusMatches, [10n]);
    assert.deepEqual(matchFilters([byStatus], status({ id: 12n }), status({ id: 12n })), []);
    const [m] = matchFilters([compileFilter(filter([["original", true]], [99n]))], boost, original);
    assert.deepEqual(m.keywordMatches, ["original"]);
    assert.deepEqual(m.statusMatches, [], "status rules that did not match report []");
  });
});
