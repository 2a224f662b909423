import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Visibility } from "../../src/domain/profile.ts";
import { canView, visibleSets, VISIBILITIES, type ViewerFacts } from "../../src/domain/visibility.ts";

const none: ViewerFacts = { isAuthor: false, followsAuthor: false, mentioned: false, blockedByAuthor: false, blocksAuthor: false, domainBlocksAuthor: false };
const viewers: Record<string, ViewerFacts | null> = {
  anonymous: null,
  stranger: none,
  author: { ...none, isAuthor: true },
  follower: { ...none, followsAuthor: true },
  mentioned: { ...none, mentioned: true },
  blocked: { ...none, blockedByAuthor: true },
  "blocked follower mentioned": { ...none, blockedByAuthor: true, followsAuthor: true, mentioned: true },
  blocker: { ...none, blocksAuthor: true },
  "domain blocker": { ...none, domainBlocksAuthor: true },
};

// viewer → visibilities it sees, in the "direct" context (by id, on the author's profile).
const DIRECT: Record<string, Visibility[]> = {
  anonymous: ["public", "unlisted"],
  stranger: ["public", "unlisted"],
  author: ["public", "unlisted", "private", "direct"],
  follower: ["public", "unlisted", "private"],
  mentioned: ["public", "unlisted", "private", "direct"],
  blocked: [],
  "blocked follower mentioned": [],
  blocker: ["public", "unlisted"],
  "domain blocker": ["public", "unlisted"],
};
// In feeds the viewer's own blocks hide the author too.
const FEED: Record<string, Visibility[]> = { ...DIRECT, blocker: [], "domain blocker": [] };

describe("status visibility policy", () => {
  for (const [context, table] of [["direct", DIRECT], ["feed", FEED]] as const) {
    for (const [name, facts] of Object.entries(viewers)) {
      it(`${context}: ${name} sees ${table[name].join(", ") || "nothing"}`, () => {
        assert.deepEqual(VISIBILITIES.filter((v) => canView(v, facts, context)), table[name]);
      });
    }
  }

  it("visibleSets renders the same rule per author, with mention-dependent visibilities apart", () => {
    for (const context of ["direct", "feed"] as const) {
      for (const facts of Object.values(viewers)) {
        const sets = visibleSets(facts, context);
        for (const mentioned of [false, true]) {
          const f = facts && { ...facts, mentioned };
          for (const v of VISIBILITIES) {
            const bySets = sets.always.includes(v) || (mentioned && sets.ifMentioned.includes(v));
            assert.equal(bySets, canView(v, f, context), `${JSON.stringify(f)} ${v} ${context}`);
          }
        }
      }
    }
    assert.deepEqual(visibleSets({ ...none, followsAuthor: true }), { always: ["public", "unlisted", "private"], ifMentioned: ["direct"] });
  });
});
