import { Temporal } from "@js-temporal/polyfill";
import {
  Accept, Announce, Block, Create, CryptographicKey, Delete, Follow, Like, Move, Multikey, Note, PUBLIC_COLLECTION, Reject, Tombstone, Undo, Update,
  type Activity,
} from "@fedify/fedify/vocab";
import type { FederationEvent } from "../../services/federation/outbound.ts";
import type { FederationReadDeps } from "../../services/federation/actors.ts";
import { findLocalActor } from "../../services/federation/actors.ts";
import { loadStatusObjects } from "../../services/federation/objects.ts";
import { accountInbox, followerServerInboxes, statusInboxes } from "../../services/federation/recipients.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { Database } from "../../ports/database.ts";
import { cryptoKeyPairs } from "../keys.ts";
import { movedToUri } from "../moved-to.ts";
import { accountUri, createActivity, localActor, statusObject, type VocabContext } from "../vocab.ts";

/** An activity ready to deliver: who signs it, and the distinct inboxes it goes to. */
export interface OutgoingActivity {
  readonly activity: Activity;
  /** Further activities to the same inboxes (a vote on several options is one Create per option). */
  readonly more?: readonly Activity[];
  readonly signerAccountId: bigint;
  readonly inboxes: readonly string[];
}

type Instant = NonNullable<NonNullable<ConstructorParameters<typeof Note>[0]>["published"]>;
const instant = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms) as unknown as Instant;

export interface RenderDeps extends FederationReadDeps {
  readonly db: Database;
  readonly vocab: VocabContext;
}

async function accounts(deps: RenderDeps, ...ids: bigint[]): Promise<(AccountRecord | undefined)[]> {
  const found = new Map((await deps.db.repos.accounts.findByIds(ids)).map((a) => [a.id, a]));
  return ids.map((id) => found.get(id));
}

/** A local account able to act (and sign); anything else renders nothing. */
const isLocal = (a: AccountRecord | undefined): a is AccountRecord => a !== undefined && a.domain === null;

/** The URI of any status: derived for local ones (boosts are their Announce activity), stored for remote ones. */
function statusUri(v: VocabContext, author: AccountRecord, s: { id: bigint; uri: string | null; reblogOfId: bigint | null }): URL | null {
  if (author.domain === null) return s.reblogOfId === null ? v.uris.status(author.username, s.id) : v.uris.statusActivity(author.username, s.id);
  return s.uri ? new URL(s.uri) : null;
}

function actorId(v: VocabContext, a: AccountRecord): URL {
  return accountUri(v, a) ?? v.uris.actor(a.username);
}

/**
 * Renders the activity of a federation event and decides its inboxes. Null when there is nothing to send: the
 * records are gone, the actor is not local, or no remote server needs to hear of it. Ids are stable per event,
 * so a retried job renders the same activity (and the delivery dedup keys match).
 */
export async function renderEvent(deps: RenderDeps, event: FederationEvent, jobId: string): Promise<OutgoingActivity | null> {
  const v = deps.vocab;
  const repos = deps.db.repos;
  switch (event.type) {
    case "create":
    case "update": {
      const status = await repos.statuses.findById(BigInt(event.statusId));
      if (!status || status.reblogOfId !== null) return null;
      const [author] = await accounts(deps, status.accountId);
      if (!isLocal(author)) return null;
      const [o] = await loadStatusObjects(deps, [status], author);
      const object = statusObject(v, o, v.uris.collection(author.username, "followers"), null);
      const inboxes = await statusInboxes(deps.db, {
        accountId: author.id, visibility: status.visibility, mentionIds: o.mentions.map((m) => m.id), inReplyToAccountId: status.inReplyToAccountId,
      });
      if (inboxes.length === 0) return null;
      const activity =
        event.type === "create"
          ? createActivity(v, o, object)
          : new Update({
              id: new URL(`${v.uris.status(author.username, status.id).href}#updates/${status.editedAt ?? status.updatedAt}`),
              actor: v.uris.actor(author.username),
              published: instant(status.editedAt ?? status.updatedAt),
              tos: object.toIds,
              ccs: object.ccIds,
              object,
            });
      return { activity, signerAccountId: author.id, inboxes };
    }
    case "delete": {
      const ref = await repos.federationRecipients.statusRef(BigInt(event.statusId));
      if (!ref) return null;
      const [author] = await accounts(deps, ref.accountId);
      if (!isLocal(author)) return null;
      const inboxes = await statusInboxes(deps.db, ref);
      if (inboxes.length === 0) return null;
      // A withdrawn boost is an Undo of its Announce; a deleted post is a Delete of a Tombstone, as Mastodon sends.
      if (ref.reblogOfId !== null) {
        const announceId = v.uris.statusActivity(author.username, ref.id);
        return {
          activity: new Undo({ id: new URL(`${announceId.href}/undo`), actor: v.uris.actor(author.username), tos: [PUBLIC_COLLECTION], object: new Announce({ id: announceId, actor: v.uris.actor(author.username) }) }),
          signerAccountId: author.id,
          inboxes,
        };
      }
      const id = v.uris.status(author.username, ref.id);
      return {
        activity: new Delete({ id: new URL(`${id.href}#delete`), actor: v.uris.actor(author.username), tos: [PUBLIC_COLLECTION], object: new Tombstone({ id }) }),
        signerAccountId: author.id,
        inboxes,
      };
    }
    case "announce": {
      const boost = await repos.federationRecipients.statusRef(BigInt(event.statusId));
      if (!boost || boost.reblogOfId === null) return null;
      const original = await repos.statuses.findById(boost.reblogOfId);
      if (!original) return null;
      const [booster, author] = await accounts(deps, boost.accountId, original.accountId);
      if (!isLocal(booster) || !author) return null;
      const object = statusUri(v, author, original);
      if (!object) return null;
      const followers = v.uris.collection(booster.username, "followers");
      const inboxes = [...new Set([...(await followerServerInboxes(deps.db, booster.id)), ...(await accountInbox(deps.db, author.id))])];
      if (inboxes.length === 0) return null;
      const status = await repos.statuses.findById(boost.id);
      return {
        activity: new Announce({
          id: v.uris.statusActivity(booster.username, boost.id),
          actor: v.uris.actor(booster.username),
          published: instant(status?.createdAt ?? Date.now()),
          tos: [PUBLIC_COLLECTION],
          ccs: [actorId(v, author), followers],
          object,
        }),
        signerAccountId: booster.id,
        inboxes,
      };
    }
    case "undo-announce": {
      const [booster, original] = await Promise.all([
        accounts(deps, BigInt(event.accountId)).then(([a]) => a),
        repos.statuses.findById(BigInt(event.reblogOfId)),
      ]);
      if (!isLocal(booster)) return null;
      const [author] = original ? await accounts(deps, original.accountId) : [undefined];
      const inboxes = [...new Set([...(await followerServerInboxes(deps.db, booster.id)), ...(author ? await accountInbox(deps.db, author.id) : [])])];
      if (inboxes.length === 0) return null;
      const announceId = v.uris.statusActivity(booster.username, BigInt(event.statusId));
      return {
        activity: new Undo({ id: new URL(`${announceId.href}/undo`), actor: v.uris.actor(booster.username), tos: [PUBLIC_COLLECTION], object: new Announce({ id: announceId, actor: v.uris.actor(booster.username) }) }),
        signerAccountId: booster.id,
        inboxes,
      };
    }
    case "like":
    case "undo-like": {
      const status = await repos.statuses.findById(BigInt(event.statusId));
      if (!status) return null;
      const [actor, author] = await accounts(deps, BigInt(event.accountId), status.accountId);
      if (!isLocal(actor) || !author || author.domain === null) return null;
      const object = statusUri(v, author, status);
      const inboxes = await accountInbox(deps.db, author.id);
      if (!object || inboxes.length === 0) return null;
      const like = new Like({ id: new URL(`${v.uris.actor(actor.username).href}#likes/${status.id}`), actor: v.uris.actor(actor.username), object });
      const activity = event.type === "like" ? like : new Undo({ id: new URL(`${like.id!.href}/undo/${jobId}`), actor: like.actorId, object: like });
      return { activity, signerAccountId: actor.id, inboxes };
    }
    case "follow":
    case "undo-follow":
    case "block":
    case "undo-block": {
      const [actor, target] = await accounts(deps, BigInt(event.accountId), BigInt(event.targetAccountId));
      if (!isLocal(actor) || !target || target.domain === null) return null;
      const inboxes = await accountInbox(deps.db, target.id);
      if (inboxes.length === 0) return null;
      const me = v.uris.actor(actor.username);
      const them = actorId(v, target);
      const follow = event.type === "follow" || event.type === "undo-follow";
      // A Follow's id names the attempt (the job), so following again later is a new activity to the peer.
      const inner = follow
        ? new Follow({ id: new URL(`${me.href}#follows/${target.id}/${jobId}`), actor: me, object: them })
        : new Block({ id: new URL(`${me.href}#blocks/${target.id}`), actor: me, object: them });
      const activity = event.type === "follow" || event.type === "block" ? inner : new Undo({ id: new URL(`${me.href}#undo/${jobId}`), actor: me, object: inner });
      return { activity, signerAccountId: actor.id, inboxes };
    }
    case "accept-follow":
    case "reject-follow": {
      // accountId is the (remote) follower, targetAccountId the local account that answers.
      const [follower, target] = await accounts(deps, BigInt(event.accountId), BigInt(event.targetAccountId));
      if (!follower || follower.domain === null || !isLocal(target)) return null;
      const inboxes = await accountInbox(deps.db, follower.id);
      if (inboxes.length === 0) return null;
      const me = v.uris.actor(target.username);
      const follow = new Follow({ id: event.followUri ? new URL(event.followUri) : null, actor: actorId(v, follower), object: me });
      const values = { id: new URL(`${me.href}#${event.type === "accept-follow" ? "accepts" : "rejects"}/follows/${follower.id}/${jobId}`), actor: me, object: follow };
      return { activity: event.type === "accept-follow" ? new Accept(values) : new Reject(values), signerAccountId: target.id, inboxes };
    }
    case "update-actor": {
      const [account] = await accounts(deps, BigInt(event.accountId));
      if (!isLocal(account)) return null;
      const found = await findLocalActor(deps, account.username);
      if (found?.kind !== "actor") return null;
      const inboxes = await followerServerInboxes(deps.db, account.id);
      if (inboxes.length === 0) return null;
      const person = await actorDocument(deps, v, found.actor.account, found.actor);
      return {
        activity: new Update({ id: new URL(`${v.uris.actor(account.username).href}#updates/${account.updatedAt}`), actor: v.uris.actor(account.username), tos: [PUBLIC_COLLECTION], object: person }),
        signerAccountId: account.id,
        inboxes,
      };
    }
    case "delete-actor": {
      const [account] = await accounts(deps, BigInt(event.accountId));
      if (!isLocal(account)) return null;
      const inboxes = await followerServerInboxes(deps.db, account.id);
      if (inboxes.length === 0) return null;
      const me = v.uris.actor(account.username);
      return { activity: new Delete({ id: new URL(`${me.href}#delete`), actor: me, tos: [PUBLIC_COLLECTION], object: me }), signerAccountId: account.id, inboxes };
    }
    case "move": {
      const [account, target] = await accounts(deps, BigInt(event.accountId), BigInt(event.targetAccountId));
      if (!isLocal(account) || !target) return null;
      const inboxes = await followerServerInboxes(deps.db, account.id);
      if (inboxes.length === 0) return null;
      const me = v.uris.actor(account.username);
      return {
        activity: new Move({ id: new URL(`${me.href}#moves/${target.id}`), actor: me, object: me, target: actorId(v, target), tos: [v.uris.collection(account.username, "followers")] }),
        signerAccountId: account.id,
        inboxes,
      };
    }
    case "vote": {
      const poll = await repos.polls.findById(BigInt(event.pollId));
      if (!poll) return null;
      const status = await repos.statuses.findById(poll.statusId);
      const [voter, author] = await accounts(deps, BigInt(event.accountId), poll.accountId);
      if (!status || !isLocal(voter) || !author || author.domain === null) return null;
      const question = statusUri(v, author, status);
      const inboxes = await accountInbox(deps.db, author.id);
      if (!question || inboxes.length === 0) return null;
      const me = v.uris.actor(voter.username);
      const them = actorId(v, author);
      // Mastodon sends one Create of a Note named after the option per chosen option.
      const choices = event.choices.map((i) => poll.options[i]?.title).filter((t): t is string => t !== undefined);
      if (choices.length === 0) return null;
      const [first, ...rest] = choices.map(
        (name, i) =>
          new Create({
            id: new URL(`${me.href}#votes/${poll.id}/${i}/activity`),
            actor: me,
            tos: [them],
            object: new Note({ id: new URL(`${me.href}#votes/${poll.id}/${i}`), attribution: me, name, replyTarget: question, tos: [them] }),
          }),
      );
      return { activity: first, more: rest, signerAccountId: voter.id, inboxes };
    }
  }
}

/** The actor document of a local account, as federation.ts's actor dispatcher serves it. */
async function actorDocument(deps: RenderDeps, v: VocabContext, account: AccountRecord, actor: { keys: Parameters<typeof cryptoKeyPairs>[0]; emojis: Parameters<typeof localActor>[2] }) {
  const pairs = await cryptoKeyPairs(actor.keys);
  const id = v.uris.actor(account.username);
  return localActor(v, account, actor.emojis, {
    publicKey: new CryptographicKey({ id: v.uris.actorKey(account.username), owner: id, publicKey: pairs[0].publicKey as never }),
    assertionMethods: [new Multikey({ id: new URL(`${id.href}#key-2`), controller: id, publicKey: pairs[1].publicKey as never })],
    outbox: v.uris.collection(account.username, "outbox"),
    followers: v.uris.collection(account.username, "followers"),
    following: v.uris.collection(account.username, "following"),
    featured: v.uris.collection(account.username, "collections/featured"),
    featuredTags: v.uris.collection(account.username, "collections/tags"),
    movedTo: await movedToUri(v, deps, account),
  });
}
