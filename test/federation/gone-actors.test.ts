import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pruneGoneActorsHandler } from "../../src/federation/gone-actors-job.ts";
import { listGoneInboxes } from "../../src/services/federation/delivery-state.ts";
import { uniqueName } from "../support/backends.ts";
import { remoteActorsFor, startRemotePeer, type RemotePeer } from "../support/remote-peer.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

for (const variant of appVariants) {
  describe(`actors whose inbox answered 410 Gone (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    let peer: RemotePeer;
    before(async () => {
      t = await startTestApp(variant.name, { ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" });
      peer = await startRemotePeer();
    });
    after(async () => {
      await peer?.close();
      await t?.close();
    });

    const actor = async () => {
      const name = uniqueName("gone").replace(/[^a-z0-9_]/gi, "_");
      peer.actors.set(name, peer.person(name));
      const account = await remoteActorsFor(t).resolveActor(`${peer.base}/users/${name}`);
      assert.ok(account);
      const inbox = (await t.container.db.repos.accounts.federationInfo([account.id])).get(account.id)?.inboxUrl;
      assert.ok(inbox);
      return { name, account, inbox };
    };

    it("treats the actor as deleted only when the actor itself answers 410, and forgets the inbox either way", async () => {
      const gone = await actor();
      const alive = await actor();
      peer.raw.set(`/users/${gone.name}`, { status: 410, type: "application/activity+json", body: "{}" });
      const now = Date.now();
      await t.container.db.repos.deliveryState.recordGoneInbox(gone.inbox, peer.host, now);
      await t.container.db.repos.deliveryState.recordGoneInbox(alive.inbox, peer.host, now);
      await pruneGoneActorsHandler.run(t.container.jobDeps, { period: "test" }, { id: "1", name: "prune-gone-actors", queue: "pull", payload: {}, attempt: 1, maxAttempts: 1, redelivered: false });
      const [goneNow, aliveNow] = await Promise.all([
        t.container.db.repos.accounts.findById(gone.account.id),
        t.container.db.repos.accounts.findById(alive.account.id),
      ]);
      assert.notEqual(goneNow?.suspendedAt ?? null, null, "the gone actor is marked deleted");
      assert.equal(aliveNow?.suspendedAt, null, "an actor still served stays");
      assert.deepEqual(await listGoneInboxes(t.container.db), []);
    });
  });
}
