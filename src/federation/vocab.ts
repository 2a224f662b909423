import { Temporal } from "@js-temporal/polyfill";
import { LanguageString } from "@fedify/fedify";
import {
  Application, Collection, CollectionPage, Create, CryptographicKey, Document, Emoji, Endpoints, Hashtag, Image, Mention, Note, PropertyValue,
  PUBLIC_COLLECTION, Person, Question, Service, type Multikey,
} from "@fedify/fedify/vocab";
import { formatStatusText, type LinkedMention } from "../domain/status-text.ts";
import { formatFieldValue, formatPlainText } from "../domain/text-format.ts";
import type { InstanceSettings } from "../domain/instance.ts";
import type { MediaStore } from "../ports/media-store.ts";
import type { AccountRecord } from "../ports/repositories/accounts.ts";
import type { CustomEmojiRecord } from "../ports/repositories/custom-emojis.ts";
import type { MediaRecord } from "../ports/repositories/media.ts";
import type { FeaturedTagRecord } from "../ports/repositories/tags.ts";
import type { LocalStatusObject, ReplyRef } from "../services/federation/objects.ts";
import { instanceActorUsername, type LocalUris } from "./uris.ts";

/** What translating Herd's records into ActivityStreams needs. */
export interface VocabContext {
  readonly instance: InstanceSettings;
  readonly uris: LocalUris;
  readonly media: MediaStore;
}

/** Fedify's vocabulary types its instants with its own Temporal declaration; the polyfill's objects are those. */
type Instant = NonNullable<NonNullable<ConstructorParameters<typeof Note>[0]>["published"]>;
const instant = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms) as unknown as Instant;

/** The actor id of any account: derived for local ones, stored for remote ones. */
export function accountUri(v: VocabContext, a: AccountRecord): URL | null {
  if (a.domain === null) return v.uris.actor(a.username);
  const uri = a.uri ?? a.url;
  return uri ? new URL(uri) : null;
}

function accountPageUrl(v: VocabContext, a: AccountRecord): string {
  return a.domain === null ? v.uris.profile(a.username).href : (a.url ?? a.uri ?? "");
}

function mediaTypeOf(key: string): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  return ext ? ({ png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", avif: "image/avif" } as Record<string, string>)[ext] : undefined;
}

function picture(v: VocabContext, key: string | null): Image | null {
  if (!key) return null;
  const mediaType = mediaTypeOf(key);
  return new Image({ url: new URL(v.media.url(key)), ...(mediaType ? { mediaType } : {}) });
}

/** A local custom emoji as Mastodon federates it: an Emoji tag named `:shortcode:` with its image, at /emojis/{id}. */
export function customEmoji(v: VocabContext, e: CustomEmojiRecord): Emoji {
  const mediaType = mediaTypeOf(e.imageKey);
  return new Emoji({
    id: new URL(`/emojis/${e.id}`, v.uris.base),
    name: `:${e.shortcode}:`,
    icon: new Image({ url: new URL(v.media.url(e.imageKey)), ...(mediaType ? { mediaType } : {}) }),
    updated: instant(e.createdAt),
  });
}

/** Keys and collections the actor document links to; built by the federation module from Fedify's context. */
export interface ActorLinks {
  readonly publicKey: CryptographicKey | null;
  readonly assertionMethods: readonly Multikey[];
  readonly outbox: URL;
  readonly followers: URL;
  readonly following: URL;
  readonly featured: URL;
  readonly featuredTags: URL;
  /** The account this one moved to (Mastodon's movedTo), when it did. */
  readonly movedTo?: URL | null;
}

/**
 * A local account as Mastodon presents it: Person (Service for bots), with the bio and field values rendered as
 * the client API renders them, the profile page as `url`, avatar and header through the media store.
 */
export function localActor(v: VocabContext, a: AccountRecord, emojis: readonly CustomEmojiRecord[], links: ActorLinks): Person | Service {
  const values = {
    id: v.uris.actor(a.username),
    preferredUsername: a.username,
    name: a.displayName,
    summary: formatPlainText(a.note),
    url: v.uris.profile(a.username),
    inbox: v.uris.inbox(a.username),
    outbox: links.outbox,
    followers: links.followers,
    following: links.following,
    featured: links.featured,
    featuredTags: links.featuredTags,
    endpoints: new Endpoints({ sharedInbox: v.uris.sharedInbox() }),
    publicKey: links.publicKey,
    assertionMethods: [...links.assertionMethods],
    manuallyApprovesFollowers: a.locked,
    discoverable: a.discoverable ?? false,
    indexable: a.indexable,
    memorial: a.memorial || null,
    published: instant(Math.floor(a.createdAt / 86_400_000) * 86_400_000),
    icon: picture(v, a.avatarKey),
    image: picture(v, a.headerKey),
    attachments: a.fields.map((f) => new PropertyValue({ name: f.name, value: formatFieldValue(f.value) })),
    tags: emojis.map((e) => customEmoji(v, e)),
    aliases: (a.alsoKnownAs ?? []).map((u) => new URL(u)),
    successor: links.movedTo ?? null,
  };
  return a.bot ? new Service(values) : new Person(values);
}

/**
 * The instance actor (Mastodon's /actor): an Application named after the domain that signs the server's own
 * fetches. It follows nobody and is followed by nobody, so it has no collections.
 */
export function instanceActor(v: VocabContext, publicKey: CryptographicKey, assertionMethods: readonly Multikey[]): Application {
  const username = instanceActorUsername(v.instance);
  return new Application({
    id: v.uris.instanceActor(),
    preferredUsername: username,
    name: username,
    url: new URL("/about", v.uris.base),
    inbox: v.uris.instanceActorInbox(),
    endpoints: new Endpoints({ sharedInbox: v.uris.sharedInbox() }),
    manuallyApprovesFollowers: true,
    publicKey,
    assertionMethods: [...assertionMethods],
  });
}

/** Addressing from visibility, as Mastodon's: public and unlisted swap To and CC; private and direct stay closed. */
export function audience(v: VocabContext, o: LocalStatusObject, followers: URL): { tos: URL[]; ccs: URL[] } {
  const mentioned = o.mentions.map((a) => accountUri(v, a)).filter((u): u is URL => u !== null);
  switch (o.status.visibility) {
    case "public":
      return { tos: [PUBLIC_COLLECTION], ccs: [followers, ...mentioned] };
    case "unlisted":
      return { tos: [followers], ccs: [PUBLIC_COLLECTION, ...mentioned] };
    case "private":
      return { tos: [followers], ccs: mentioned };
    case "direct":
      return { tos: mentioned, ccs: [] };
  }
}

function mentionResolver(v: VocabContext, accounts: readonly AccountRecord[]) {
  const local = v.instance.localDomain.toLowerCase();
  return (token: { username: string; domain: string | null }): LinkedMention | null => {
    const domain = token.domain === local ? null : token.domain;
    const a = accounts.find((x) => x.username.toLowerCase() === token.username.toLowerCase() && (x.domain?.toLowerCase() ?? null) === domain);
    return a ? { username: a.username, url: accountPageUrl(v, a) } : null;
  };
}

function acct(v: VocabContext, a: AccountRecord): string {
  return `@${a.username}@${a.domain ?? v.instance.localDomain}`;
}

function attachment(v: VocabContext, m: MediaRecord): Document | null {
  if (!m.fileKey) return null;
  const original = (m.meta as { original?: { width?: number; height?: number } }).original;
  return new Document({
    url: new URL(v.media.url(m.fileKey)),
    mediaType: m.fileContentType ?? mediaTypeOf(m.fileKey) ?? null,
    name: m.description,
    ...(typeof original?.width === "number" && typeof original?.height === "number" ? { width: original.width, height: original.height } : {}),
  });
}

/**
 * A local status as a Note, or a Question when it carries a poll (options as Notes with `name` and their vote
 * counts, as Mastodon sends them). Content is rendered exactly as the client API renders it.
 */
export function statusObject(v: VocabContext, o: LocalStatusObject, followers: URL, replies: Collection | null): Note | Question {
  const s = o.status;
  const author = o.author;
  const html = formatStatusText(s.text, mentionResolver(v, o.mentions), (name) => v.uris.tag(name).href);
  const { tos, ccs } = audience(v, o, followers);
  const tags = [
    ...o.mentions.map((a) => new Mention({ href: accountUri(v, a), name: acct(v, a) })),
    ...o.tags.map((t) => new Hashtag({ href: v.uris.tag(t.name), name: `#${t.name}` })),
    ...o.emojis.map((e) => customEmoji(v, e)),
  ];
  const parentUri = o.parent
    ? o.parent.author.domain === null
      ? v.uris.status(o.parent.author.username, o.parent.status.id)
      : o.parent.status.uri
        ? new URL(o.parent.status.uri)
        : null
    : null;
  const values = {
    id: v.uris.status(author.username, s.id),
    attribution: v.uris.actor(author.username),
    // A plain string becomes `content`, the language-tagged one `contentMap`, as Mastodon sends both.
    contents: s.language ? [html, new LanguageString(html, s.language)] : [html],
    // Mastodon sends the content warning as it was typed; receivers treat summary as plain text.
    summary: s.spoilerText === "" ? null : s.spoilerText,
    sensitive: s.sensitive,
    replyTarget: parentUri,
    published: instant(s.createdAt),
    updated: s.editedAt === null ? null : instant(s.editedAt),
    url: v.uris.statusPage(author.username, s.id),
    tos,
    ccs,
    tags,
    attachments: o.media.map((m) => attachment(v, m)).filter((d): d is Document => d !== null),
    replies,
    contexts: s.conversationId === null ? [] : [v.uris.conversation(s.conversationId, s.createdAt)],
  };
  if (!o.poll) return new Note(values);
  const options = o.poll.options.map((opt) => new Note({ name: opt.title, replies: new Collection({ totalItems: opt.votesCount }) }));
  const ended = o.poll.expiresAt !== null && o.poll.expiresAt <= Date.now();
  return new Question({
    ...values,
    ...(o.poll.multiple ? { inclusiveOptions: options } : { exclusiveOptions: options }),
    endTime: o.poll.expiresAt === null ? null : instant(o.poll.expiresAt),
    ...(ended && o.poll.expiresAt !== null ? { closed: instant(o.poll.expiresAt) } : {}),
    voters: o.poll.votersCount,
  });
}

/**
 * A status's `replies` collection with its first page embedded, as Mastodon embeds it: the direct public replies
 * (their ids), so a peer can fetch the thread below without another request.
 */
export function repliesCollection(v: VocabContext, replies: readonly ReplyRef[]): Collection {
  const items = replies
    .map((r) => (r.author.domain === null ? v.uris.status(r.author.username, r.status.id) : r.status.uri ? new URL(r.status.uri) : null))
    .filter((u): u is URL => u !== null);
  return new Collection({ first: new CollectionPage({ items }) });
}

/** The Create activity of a local status, at the stable id /users/{username}/statuses/{id}/activity. */
export function createActivity(v: VocabContext, o: LocalStatusObject, object: Note | Question): Create {
  return new Create({
    id: v.uris.statusActivity(o.author.username, o.status.id),
    actor: v.uris.actor(o.author.username),
    published: instant(o.status.createdAt),
    tos: object.toIds,
    ccs: object.ccIds,
    object,
  });
}

/** A featured hashtag as Mastodon lists it: linked to the account's statuses with that tag. */
export function featuredHashtag(v: VocabContext, username: string, f: FeaturedTagRecord): Hashtag {
  return new Hashtag({ href: v.uris.taggedBy(username, f.tag.name), name: `#${f.tag.name}` });
}
