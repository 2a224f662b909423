import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus } from "../support/accounts.ts";
import { assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

for (const v of appVariants) {
  describe(`markers (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const get = async (token: string, query = "?timeline[]=home&timeline[]=notifications") => {
      const res = expectStatus(await t.request("GET", `/api/v1/markers${query}`, { token }), 200);
      assertResponse("GET", "/api/v1/markers", 200, res.body);
      for (const m of Object.values(res.body)) assertEntity("Marker", m);
      return res.body;
    };

    it("saves markers from JSON and forms, bumping the version only on change", async () => {
      const me = await t.user("mk_me");
      const other = await t.user("mk_other");
      assert.deepEqual(await get(me.token), {});
      const first = expectStatus(await t.request("POST", "/api/v1/markers", { token: me.token, json: { home: { last_read_id: "103194548672408537" } } }), 200);
      assertResponse("POST", "/api/v1/markers", 200, first.body);
      assertEntity("Marker", first.body.home);
      assert.deepEqual(Object.keys(first.body), ["home"]);
      assert.equal(first.body.home.last_read_id, "103194548672408537");
      assert.equal(first.body.home.version, 0);

      const both = expectStatus(
        await t.request("POST", "/api/v1/markers", { token: me.token, form: { "home[last_read_id]": "103194548672408600", "notifications[last_read_id]": "42" } }),
        200,
      );
      assert.equal(both.body.home.version, 1);
      assert.equal(both.body.home.last_read_id, "103194548672408600");
      assert.equal(both.body.notifications.version, 0);
      assert.equal(both.body.notifications.last_read_id, "42");

      const same = expectStatus(await t.request("POST", "/api/v1/markers", { token: me.token, json: { home: { last_read_id: "103194548672408600" } } }), 200);
      assert.equal(same.body.home.version, 1, "an unchanged marker keeps its version");
      assert.equal(same.body.home.updated_at, both.body.home.updated_at);

      const read = await get(me.token);
      assert.deepEqual(Object.keys(read).sort(), ["home", "notifications"]);
      assert.equal(read.notifications.last_read_id, "42");
      assert.deepEqual(Object.keys(await get(me.token, "?timeline[]=notifications&timeline[]=lists")), ["notifications"]);
      assert.deepEqual(await get(me.token, ""), {}, "no timeline asked, none given");
      assert.deepEqual(await get(other.token), {}, "markers are per user");
    });

    it("refuses markers without an id, and needs the statuses scopes", async () => {
      const me = await t.user("mk_bad");
      expectStatus(await t.request("POST", "/api/v1/markers", { token: me.token, json: { home: {} } }), 422);
      expectStatus(await t.request("POST", "/api/v1/markers", { token: me.token, json: { home: { last_read_id: "nope" } } }), 422);
      assert.deepEqual(await get(me.token), {}, "nothing was saved");
      const narrow = await t.user("mk_narrow", { scopes: "read:notifications write:notifications" });
      expectStatus(await t.request("GET", "/api/v1/markers?timeline[]=home", { token: narrow.token }), 403);
      expectStatus(await t.request("POST", "/api/v1/markers", { token: narrow.token, json: { home: { last_read_id: "1" } } }), 403);
      expectStatus(await t.request("GET", "/api/v1/markers"), 401);
    });
  });
}
