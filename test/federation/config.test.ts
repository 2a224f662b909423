import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/config/config.ts";
import { loadConfig } from "../../src/config/load.ts";

describe("federation settings", () => {
  it("reads AUTHORIZED_FETCH, ALLOWED_PRIVATE_ADDRESSES and ACTOR_KEYS_AT_CREATION", () => {
    const defaults = loadConfig({ LOCAL_DOMAIN: "herd.test" });
    assert.equal(defaults.authorizedFetch, false);
    assert.equal(defaults.actorKeysAtCreation, true);
    assert.deepEqual(defaults.allowedPrivateAddresses, []);
    const set = loadConfig({ LOCAL_DOMAIN: "herd.test", AUTHORIZED_FETCH: "true", ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/8, fd00::/8", ACTOR_KEYS_AT_CREATION: "false" });
    assert.equal(set.authorizedFetch, true);
    assert.equal(set.actorKeysAtCreation, false);
    assert.deepEqual(set.allowedPrivateAddresses, ["127.0.0.1/8", "fd00::/8"]);
  });

  it("refuses bad values with a message naming the variable", () => {
    for (const [variable, value] of [["AUTHORIZED_FETCH", "sometimes"], ["ALLOWED_PRIVATE_ADDRESSES", "10.0.0.0/99"], ["ACTOR_KEYS_AT_CREATION", "later"]]) {
      assert.throws(
        () => loadConfig({ LOCAL_DOMAIN: "herd.test", [variable]: value }),
        (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.startsWith(`${variable}:`),
        variable,
      );
    }
  });
});
