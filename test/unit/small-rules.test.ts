import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseQueueSpec } from "../../src/app/queue-spec.ts";
import { usernameProblem } from "../../src/domain/accounts.ts";
import { idForTime, IdGenerator, parseId, timeOfId } from "../../src/domain/ids.ts";
import { parseScopes, scopeAllows } from "../../src/domain/scopes.ts";
import { addressMatcher, clientAddress } from "../../src/http/middleware/client-address.ts";
import { retryDelayMs } from "../../src/ports/job-queue.ts";
import { generatePassword, hashPassword, verifyPassword } from "../../src/services/auth/passwords.ts";
import { hashSecret } from "../../src/services/auth/tokens.ts";

describe("ids", () => {
  it("encode the time in the high bits and parse only exact 64-bit decimals", () => {
    const id = idForTime(1_700_000_000_123, 42);
    assert.equal(timeOfId(id), 1_700_000_000_123);
    assert.equal(id & 0xffffn, 42n);
    assert.equal(parseId(id.toString()), id);
    for (const bad of ["", "-1", "1e5", "12a", "99999999999999999999", " 1", 12]) assert.equal(parseId(bad), null, String(bad));
  });

  it("never repeat within a process, across block boundaries", async () => {
    let block = 0;
    const gen = new IdGenerator(() => 1_700_000_000_000);
    const ids = [];
    for (let i = 0; i < 5000; i++) ids.push(await gen.next(async () => block++));
    assert.equal(new Set(ids).size, 5000);
    assert.equal(block, 5, "one reservation per 1,024 ids");
  });
});

describe("queue spec", () => {
  it("parses weights, defaulting to 1", () => {
    const r = parseQueueSpec("default:4,ingress:2,push:2,pull,mailers");
    assert.ok(r.ok);
    assert.deepEqual(r.queues.map((q) => `${q.queue}:${q.weight}`), ["default:4", "ingress:2", "push:2", "pull:1", "mailers:1"]);
  });
  it("explains what is wrong", () => {
    for (const [spec, msg] of [["nope", /unknown queue "nope"/], ["default:0", /whole number from 1 to 100/], ["pull,pull", /twice/], ["", /no queue/]] as const) {
      const r = parseQueueSpec(spec);
      assert.ok(!r.ok);
      assert.match(r.error, msg);
    }
  });
});

describe("scopes", () => {
  it("grant granular scopes through their parent, and follow through its parts", () => {
    assert.ok(scopeAllows(["read"], "read:statuses"));
    assert.ok(!scopeAllows(["read"], "write:statuses"));
    assert.ok(scopeAllows(["write:statuses"], "write:statuses"));
    assert.ok(scopeAllows(["follow"], "write:follows"));
    assert.ok(scopeAllows(["admin:read"], "admin:read:accounts"));
    assert.ok(!scopeAllows(["read:accounts"], "read"));
  });
  it("reject unknown scopes", () => {
    assert.deepEqual(parseScopes("read write+follow"), ["read", "write", "follow"]);
    assert.equal(parseScopes("read everything"), null);
  });
});

describe("usernames", () => {
  it("follow Mastodon's rule", () => {
    assert.equal(usernameProblem("alice_1"), null);
    assert.equal(usernameProblem("a.b-c"), null);
    assert.equal(usernameProblem(".alice"), "invalid");
    assert.equal(usernameProblem("alice."), "invalid");
    assert.equal(usernameProblem("al ice"), "invalid");
    assert.equal(usernameProblem("x".repeat(31)), "too_long");
    assert.equal(usernameProblem("admin"), "reserved");
    assert.equal(usernameProblem("admin", { allowReserved: true }), null);
  });
});

describe("secrets", () => {
  it("hash passwords with scrypt and verify them in constant time", async () => {
    const hash = await hashPassword("correct horse");
    assert.match(hash, /^scrypt\$32768\$8\$1\$/);
    assert.ok(!hash.includes("correct horse"));
    assert.equal(await verifyPassword("correct horse", hash), true);
    assert.equal(await verifyPassword("correct horsE", hash), false);
    assert.equal(await verifyPassword("x", "not-a-hash"), false);
    assert.ok(generatePassword().length >= 24);
  });
  it("store tokens as SHA-256 hex", () => {
    assert.equal(hashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("client address", () => {
  const trusted = addressMatcher(["10.0.0.0/8", "127.0.0.1"]);
  it("ignores X-Forwarded-For from untrusted peers", () => {
    assert.equal(clientAddress("203.0.113.9", "1.2.3.4", trusted), "203.0.113.9");
  });
  it("reads it from the right, skipping trusted proxies", () => {
    assert.equal(clientAddress("10.0.0.2", "198.51.100.7, 10.0.0.5", trusted), "198.51.100.7");
    assert.equal(clientAddress("::ffff:127.0.0.1", "spoofed, 198.51.100.8", trusted), "198.51.100.8");
  });
});

describe("retry delay", () => {
  it("grows exponentially with jitter in the upper half", () => {
    assert.equal(retryDelayMs(1, 1000, () => 0), 500);
    assert.equal(retryDelayMs(1, 1000, () => 1), 1000);
    assert.equal(retryDelayMs(4, 1000, () => 1), 8000);
  });
});
