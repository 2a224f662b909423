import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StatusRecord } from "../../src/ports/repositories/statuses.ts";
import { belongsInFeed, type FeedTarget, type ReceiverFacts } from "../../src/services/timelines/feed-rules.ts";

const AUTHOR = 1n;
const RECEIVER = 2n;
const OTHER = 3n;

const status = (changes: Partial<StatusRecord> = {}): StatusRecord => ({
  id: 100n, accountId: AUTHOR, text: "hi", spoilerText: "", visibility: "public", sensitive: false, language: "en",
  inReplyToId: null, inReplyToAccountId: null, reblogOfId: null, conversationId: 100n, uri: null, url: null,
  applicationId: null, repliesCount: 0, reblogsCount: 0, favouritesCount: 0, mediaAttachmentIds: null,
  createdAt: 0, updatedAt: 0, editedAt: null, deletedAt: null, ...changes,
});

const follower: ReceiverFacts = {
  receiverId: RECEIVER, follow: { showReblogs: true, languages: null }, excluded: false, mentioned: false,
  followsReplyTarget: false, authorInExclusiveList: false, alreadyHasBoosted: false,
};
const home: FeedTarget = { kind: "home" };
const list = (repliesPolicy: "followed" | "list" | "none", replyTargetInList = false): FeedTarget => ({ kind: "list", repliesPolicy, replyTargetInList });
const reply = (to: bigint) => status({ inReplyToId: 50n, inReplyToAccountId: to });
const boost = status({ reblogOfId: 60n, text: "", language: null });

// [case, status, boosted author, receiver facts, feed, expected]
const CASES: [string, StatusRecord, bigint | null, ReceiverFacts, FeedTarget, boolean][] = [
  ["a follower gets a public status", status(), null, follower, home, true],
  ["a non-follower does not", status(), null, { ...follower, follow: null }, home, false],
  ["the author always does", status({ visibility: "direct" }), null, { ...follower, receiverId: AUTHOR, follow: null }, home, true],
  ["a muting or blocking follower does not", status(), null, { ...follower, excluded: true }, home, false],
  ["unlisted reaches followers", status({ visibility: "unlisted" }), null, follower, home, true],
  ["private reaches followers", status({ visibility: "private" }), null, follower, home, true],
  ["direct only mentioned followers", status({ visibility: "direct" }), null, follower, home, false],
  ["direct to a mentioned follower", status({ visibility: "direct" }), null, { ...follower, mentioned: true }, home, true],
  ["follow languages filter", status({ language: "fr" }), null, { ...follower, follow: { showReblogs: true, languages: ["de"] } }, home, false],
  ["follow languages pass a match", status({ language: "de" }), null, { ...follower, follow: { showReblogs: true, languages: ["de"] } }, home, true],
  ["no language passes", status({ language: null }), null, { ...follower, follow: { showReblogs: true, languages: ["de"] } }, home, true],
  ["a reply to someone not followed is left out", reply(OTHER), null, follower, home, false],
  ["a reply to someone followed goes in", reply(OTHER), null, { ...follower, followsReplyTarget: true }, home, true],
  ["a reply to the receiver goes in", reply(RECEIVER), null, follower, home, true],
  ["a self-reply goes in", reply(AUTHOR), null, follower, home, true],
  ["a reply to an unknown account is left out", status({ inReplyToId: 50n, inReplyToAccountId: null }), null, follower, home, false],
  ["a boost reaches a follower", boost, OTHER, follower, home, true],
  ["not with reblogs off", boost, OTHER, { ...follower, follow: { showReblogs: false, languages: null } }, home, false],
  ["not of the receiver's own status", boost, RECEIVER, follower, home, false],
  ["not a second copy", boost, OTHER, { ...follower, alreadyHasBoosted: true }, home, false],
  ["an exclusive list takes it out of home", status(), null, { ...follower, authorInExclusiveList: true }, home, false],
  ["but not out of the list", status(), null, { ...follower, authorInExclusiveList: true }, list("list"), true],
  ["lists never hold direct statuses", status({ visibility: "direct" }), null, { ...follower, mentioned: true }, list("list"), false],
  ["replies policy none drops replies to others", reply(OTHER), null, { ...follower, followsReplyTarget: true }, list("none"), false],
  ["replies policy none keeps replies to the owner", reply(RECEIVER), null, follower, list("none"), true],
  ["replies policy list keeps replies to members", reply(OTHER), null, { ...follower, followsReplyTarget: true }, list("list", true), true],
  ["replies policy list drops replies to non-members", reply(OTHER), null, { ...follower, followsReplyTarget: true }, list("list", false), false],
  ["replies policy followed keeps replies to followed accounts", reply(OTHER), null, { ...follower, followsReplyTarget: true }, list("followed"), true],
  ["replies policy followed drops replies to others", reply(OTHER), null, follower, list("followed"), false],
];

describe("feed rules (fan-out and rebuild)", () => {
  for (const [name, s, boostedAuthor, facts, feed, expected] of CASES)
    it(name, () => assert.equal(belongsInFeed(s, boostedAuthor, facts, feed), expected));
});
