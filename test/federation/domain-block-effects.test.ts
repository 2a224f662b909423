import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { remoteMediaDeps } from "../../src/jobs/remote-media.ts";
import { fetchRemoteMedia } from "../../src/services/media/remote-media.ts";
import { blockDomain } from "../../src/services/federation/domain-moderation.ts";
import { receiveFlag } from "../../src/services/federation/inbound-reports.ts";
import { receiveStatus } from "../../src/services/federation/inbound-statuses.ts";
import { remoteAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

/** What --reject-media and --reject-reports do to remote content of a domain that is otherwise federated with. */
for (const variant of appVariants) {
  describe(`domain blocks with reject_media and reject_reports (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant.name);
    });
    after(async () => {
      await t?.close();
    });

    it("does not fetch media of a domain blocked with --reject-media, and keeps its remote link", async () => {
      const domain = `${uniqueName("media")}.example`;
      const author = BigInt(await remoteAccount(t, "painter", domain));
      const deps = t.container.jobDeps;
      assert.ok((await blockDomain(deps, { domain, severity: "noop", rejectMedia: true })).ok);
      const stored = await receiveStatus(deps, {
        authorId: author, uri: `https://${domain}/notes/1`, url: null, html: "<p>a picture</p>", spoilerText: "", visibility: "public",
        sensitive: false, language: null, inReplyToId: null, mentionIds: [], tags: [], poll: null, createdAt: Date.now(), editedAt: null, conversationUri: null,
        media: [{ remoteUrl: `https://${domain}/files/1.png`, contentType: "image/png", description: null, blurhash: null, focus: null, width: 10, height: 10 }],
      });
      assert.ok(stored);
      const [media] = (await t.container.db.repos.media.forStatuses([(await t.container.db.repos.statuses.findById(stored.statusId))!])).get(stored.statusId) ?? [];
      assert.ok(media, "the attachment is recorded");
      const outcome = await fetchRemoteMedia(remoteMediaDeps(deps), media.id);
      assert.equal(outcome.outcome, "refused");
      assert.match((outcome as { reason: string }).reason, /reject_media/);
      assert.equal((await t.container.db.repos.media.findById(media.id))?.remoteUrl, `https://${domain}/files/1.png`);
    });

    it("drops reports from a domain blocked with --reject-reports, and keeps others", async () => {
      const target = await t.user(uniqueName("target").slice(0, 20));
      const rejected = `${uniqueName("flagger")}.example`;
      const heard = `${uniqueName("honest")}.example`;
      const deps = t.container.jobDeps;
      assert.ok((await blockDomain(deps, { domain: rejected, severity: "noop", rejectReports: true })).ok);
      const input = (reporterId: bigint, n: number) => ({ targetAccountId: BigInt(target.accountId), statusIds: [], comment: "spam", uri: `https://x.example/flags/${uniqueName("f")}${n}`, reporterId });
      assert.equal(await receiveFlag(deps, input(BigInt(await remoteAccount(t, "flagger", rejected)), 1)), null);
      assert.notEqual(await receiveFlag(deps, input(BigInt(await remoteAccount(t, "honest", heard)), 2)), null);
    });
  });
}
