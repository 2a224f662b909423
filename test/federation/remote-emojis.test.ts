import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { SharpImageProcessor } from "../../src/adapters/images/sharp-image-processor.ts";
import { addCustomEmoji } from "../../src/services/emojis/custom-emojis.ts";
import type { InboundDeps } from "../../src/services/federation/deps.ts";
import { receiveStatus, receiveStatusUpdate, type RemoteStatusInput } from "../../src/services/federation/inbound-statuses.ts";
import { expectStatus, remoteAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { drainBoth, eventually, startFederatedInstance, type FederatedInstance } from "../support/federation-pair.ts";
import { assertEntity } from "../support/openapi.ts";
import { remoteActorsFor, startRemotePeer, type RemotePeer } from "../support/remote-peer.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const code = (prefix: string) => uniqueName(prefix).replace(/[^a-z0-9_]/gi, "_");
const shortcodes = (list: { shortcode: string }[]) => list.map((e) => e.shortcode);

for (const v of appVariants) {
  describe(`remote custom emojis (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let deps: InboundDeps;
    let peer: RemotePeer;
    before(async () => {
      t = await startTestApp(v.name, { ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" });
      deps = t.container.jobDeps;
      peer = await startRemotePeer();
    });
    after(async () => {
      await peer?.close();
      await t?.close();
    });

    const get = async (path: string, token?: string) => expectStatus(await t.request("GET", path, { token }), 200).body;
    const remote = async (domain: string) => BigInt(await remoteAccount(t, code("r"), domain));
    const emojiRows = async (domain: string) =>
      (await t.container.db.kysely.selectFrom("custom_emojis").select(["id", "shortcode", "image_remote_url", "uri"]).where("domain", "=", domain).orderBy("shortcode").execute())
        .map((r) => ({ id: String(r.id), shortcode: r.shortcode, image_remote_url: r.image_remote_url, uri: r.uri }));
    let seq = 0;
    const note = (authorId: bigint, domain: string, extra: Partial<RemoteStatusInput> = {}): RemoteStatusInput => ({
      authorId, uri: `https://${domain}/notes/${code("n")}${++seq}`, url: null, html: "<p>remote</p>", spoilerText: "", visibility: "public",
      sensitive: false, language: "en", inReplyToId: null, mentionIds: [], tags: [], media: [], poll: null, createdAt: Date.now() - 1_000,
      editedAt: null, conversationUri: null, ...extra,
    });

    it("stores a remote post's emojis under its domain and lists those its text, warning and poll use", async () => {
      const domain = `${code("e")}.example`.toLowerCase();
      const author = await remote(domain);
      const [blob, cw, poll, unused] = [code("blob"), code("cw"), code("poll"), code("unused")];
      const storeKeys = () => t.container.db.repos.mediaMigration.countReferencedKeys();
      const keysBefore = await storeKeys();
      const stored = await receiveStatus(deps, note(author, domain, {
        html: `<p>look :${blob}: :${blob}: and :nothing_here:</p>`,
        spoilerText: `careful :${cw}:`,
        poll: { options: [{ title: `yes :${poll}:`, votesCount: 1 }, { title: "no", votesCount: 0 }], multiple: false, expiresAt: null, votersCount: 1 },
        emojis: [
          { shortcode: `:${blob}:`, url: `https://${domain}/e/blob.png`, uri: `https://${domain}/emojis/1` },
          { shortcode: cw, url: `https://cdn.example/${cw}.gif`, uri: null },
          { shortcode: poll, url: `https://${domain}/e/poll.png`, uri: null },
          { shortcode: unused, url: `https://${domain}/e/unused.png`, uri: null },
          { shortcode: "x", url: `https://${domain}/e/x.png`, uri: null },
          { shortcode: "evil", url: "javascript:alert(1)", uri: null },
        ],
      }));
      assert.ok(stored?.created);
      assert.deepEqual(shortcodes(await emojiRows(domain)), [blob, cw, poll, unused].sort(), "invalid shortcodes and URLs are not stored");
      assert.equal(await storeKeys(), keysBefore, "linked, not copied: no media store keys for `herd admin media migrate`");

      const status = await get(`/api/v1/statuses/${stored.statusId}`);
      assertEntity("Status", status);
      assert.deepEqual(status.emojis, [
        ...[
          { shortcode: blob, url: `https://${domain}/e/blob.png`, static_url: `https://${domain}/e/blob.png`, visible_in_picker: false, category: null },
          { shortcode: cw, url: `https://cdn.example/${cw}.gif`, static_url: `https://cdn.example/${cw}.gif`, visible_in_picker: false, category: null },
          { shortcode: poll, url: `https://${domain}/e/poll.png`, static_url: `https://${domain}/e/poll.png`, visible_in_picker: false, category: null },
        ].sort((a, b) => (a.shortcode < b.shortcode ? -1 : 1)),
      ]);

      // Another server's post naming the same shortcode shows no image: emojis belong to their domain.
      const other = await receiveStatus(deps, note(await remote(`${code("o")}.example`.toLowerCase()), "other.example", { html: `<p>:${blob}:</p>` }));
      assert.deepEqual((await get(`/api/v1/statuses/${other!.statusId}`)).emojis, []);

      // Remote emojis are neither listed for the picker nor usable in local posts.
      const me = await t.user(code("local"));
      assert.ok(!(await get("/api/v1/custom_emojis")).some((e: any) => e.shortcode === blob));
      const mine = expectStatus(await t.request("POST", "/api/v1/statuses", { token: me.token, json: { status: `mine :${blob}:` } }), 200).body;
      assert.deepEqual(mine.emojis, []);

      // One page with statuses of both domains renders each with its own emojis.
      const page = (await get(`/api/v1/timelines/public?limit=40`)) as any[];
      assert.deepEqual(shortcodes(page.find((s) => s.id === String(stored.statusId)).emojis), [blob, cw, poll].sort());
      assert.deepEqual(page.find((s) => s.id === String(other!.statusId)).emojis, []);
    });

    it("updates an emoji whose icon URL changed, with or without an edit of the text", async () => {
      const domain = `${code("u")}.example`.toLowerCase();
      const author = await remote(domain);
      const blob = code("blob");
      const first = note(author, domain, { html: `<p>:${blob}:</p>`, emojis: [{ shortcode: blob, url: `https://${domain}/v1.png`, uri: `https://${domain}/emojis/7` }] });
      const stored = (await receiveStatus(deps, first))!;
      const [row] = await emojiRows(domain);
      // The same post again, then an Update that only carries a new icon.
      await receiveStatus(deps, first);
      await receiveStatusUpdate(deps, { ...first, editedAt: Date.now(), emojis: [{ shortcode: blob, url: `https://${domain}/v2.png`, uri: null }] });
      assert.deepEqual(await emojiRows(domain), [{ id: row.id, shortcode: blob, image_remote_url: `https://${domain}/v2.png`, uri: `https://${domain}/emojis/7` }], "one row, its id and uri kept");
      const status = await get(`/api/v1/statuses/${stored.statusId}`);
      assert.equal(status.emojis[0].url, `https://${domain}/v2.png`);
      // A later post with the emoji's newest URL updates the row too.
      await receiveStatus(deps, note(author, domain, { html: `<p>:${blob}:</p>`, emojis: [{ shortcode: blob, url: `https://${domain}/v3.png`, uri: null }] }));
      assert.equal((await get(`/api/v1/statuses/${stored.statusId}`)).emojis[0].url, `https://${domain}/v3.png`);
    });

    it("lists a remote post's emojis in each revision of its edit history", async () => {
      const domain = `${code("h")}.example`.toLowerCase();
      const author = await remote(domain);
      const [old, fresh] = [code("old"), code("new")];
      const first = note(author, domain, { html: `<p>before :${old}:</p>`, emojis: [{ shortcode: old, url: `https://${domain}/old.png`, uri: null }] });
      const stored = (await receiveStatus(deps, first))!;
      await receiveStatusUpdate(deps, { ...first, html: `<p>after :${fresh}:</p>`, editedAt: Date.now(), emojis: [{ shortcode: fresh, url: `https://${domain}/new.png`, uri: null }] });
      const history = (await get(`/api/v1/statuses/${stored.statusId}/history`)) as any[];
      assert.equal(history.length, 2);
      for (const revision of history) assertEntity("StatusEdit", revision);
      assert.deepEqual(history.map((r) => shortcodes(r.emojis)), [[old], [fresh]]);
    });

    it("stores a remote actor's emojis and lists those its name, bio and fields use", async () => {
      const name = code("pat");
      const [inName, inBio, inField] = [code("n"), code("b"), code("f")];
      const tags = (icon: string) => [
        { type: "Emoji", id: `${peer.base}/emojis/${inName}`, name: `:${inName}:`, icon: { type: "Image", mediaType: "image/png", url: `${peer.base}/${icon}` } },
        { type: "Emoji", name: `:${inBio}:`, icon: { type: "Image", mediaType: "image/png", url: `${peer.base}/bio.png` } },
        { type: "Emoji", name: `:${inField}:`, icon: { type: "Image", mediaType: "image/png", url: `${peer.base}/field.png` } },
      ];
      const person = (icon: string) =>
        peer.person(name, {
          name: `Pat :${inName}:`,
          summary: `<p>I like :${inBio}:</p>`,
          attachment: [{ type: "PropertyValue", name: "Favourite", value: `:${inField}:` }],
          tag: tags(icon),
        });
      peer.actors.set(name, person("name.png"));
      const actors = remoteActorsFor(t);
      const account = await actors.resolveActor(`${peer.base}/users/${name}`);
      assert.ok(account);
      const expected = (icon: string) =>
        [
          { shortcode: inName, url: `${peer.base}/${icon}` },
          { shortcode: inBio, url: `${peer.base}/bio.png` },
          { shortcode: inField, url: `${peer.base}/field.png` },
        ]
          .sort((a, b) => (a.shortcode < b.shortcode ? -1 : 1))
          .map((e) => ({ ...e, static_url: e.url, visible_in_picker: false, category: null }));
      const shown = await get(`/api/v1/accounts/${account.id}`);
      assertEntity("Account", shown);
      assert.deepEqual(shown.emojis, expected("name.png"));

      // The actor's next document names a new image for one emoji: the row follows, the account shows it.
      peer.actors.set(name, person("name-v2.png"));
      await actors.resolveActor(`${peer.base}/users/${name}`, { refresh: true });
      assert.deepEqual((await get(`/api/v1/accounts/${account.id}`)).emojis, expected("name-v2.png"));

      // Its posts carry the author's emojis in `account`.
      const stored = (await receiveStatus(deps, note(account.id, peer.host, { uri: `${peer.base}/users/${name}/statuses/1` })))!;
      const status = await get(`/api/v1/statuses/${stored.statusId}`);
      assertEntity("Status", status);
      assert.deepEqual(status.account.emojis, expected("name-v2.png"));
      assert.deepEqual(status.emojis, [], "the post's own text names none");
    });
  });

  describe(`remote custom emojis between two instances (${v.name})`, { skip: v.skip }, () => {
    let a: FederatedInstance;
    let b: FederatedInstance;
    before(async () => {
      [a, b] = await Promise.all([startFederatedInstance(v.name), startFederatedInstance(v.name)]);
    });
    after(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it("shows the emojis of a followed account's name and post on the other instance", async () => {
      const shortcode = "herdcat";
      const c = a.container;
      const image = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 200, g: 90, b: 20, alpha: 1 } } }).png().toBuffer();
      assert.ok((await addCustomEmoji({ db: c.db, cache: c.cache, clock: c.clock, media: c.media, images: new SharpImageProcessor() }, { shortcode, image })).ok);
      const original = (await (await a.request("GET", "/api/v1/custom_emojis")).body).find((e: any) => e.shortcode === shortcode);
      assert.ok(original);

      const alice = await a.user("alice");
      const bob = await b.user("bob");
      expectStatus(await a.request("PATCH", "/api/v1/accounts/update_credentials", { token: alice.token, form: { display_name: `Alice :${shortcode}:` } }), 200);
      const search = expectStatus(await b.request("GET", `/api/v2/search?q=${encodeURIComponent(`@alice@${a.domain}`)}&resolve=true&type=accounts`, { token: bob.token }), 200).body;
      const aliceOnB = search.accounts.find((x: any) => x.acct === `alice@${a.domain}`);
      assert.ok(aliceOnB, JSON.stringify(search));
      expectStatus(await b.request("POST", `/api/v1/accounts/${aliceOnB.id}/follow`, { token: bob.token }), 200);
      await drainBoth(a, b);

      const post = expectStatus(await a.request("POST", "/api/v1/statuses", { token: alice.token, json: { status: `purr :${shortcode}:`, visibility: "public" } }), 200).body;
      await drainBoth(a, b);
      const onB = await eventually(async () => {
        const home = expectStatus(await b.request("GET", "/api/v1/timelines/home?limit=40", { token: bob.token }), 200).body as any[];
        return home.find((s) => s.uri === post.uri);
      }, "alice's post on B");

      const expected = [{ shortcode, url: original.url, static_url: original.url, visible_in_picker: false, category: null }];
      const status = expectStatus(await b.request("GET", `/api/v1/statuses/${onB.id}`, { token: bob.token }), 200).body;
      assertEntity("Status", status);
      assert.deepEqual(status.emojis, expected, "the post's emoji, linked at its origin");
      const account = expectStatus(await b.request("GET", `/api/v1/accounts/${aliceOnB.id}`, { token: bob.token }), 200).body;
      assertEntity("Account", account);
      assert.deepEqual(account.emojis, expected, "the display name's emoji");
      assert.deepEqual(status.account.emojis, expected);
      // B's own users cannot use it.
      assert.ok(!(expectStatus(await b.request("GET", "/api/v1/custom_emojis"), 200).body as any[]).some((e) => e.shortcode === shortcode));
    });
  });
}
