import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { AddressPolicy } from "../../src/adapters/http/address-policy.ts";
import { GuardedHttpClient } from "../../src/adapters/http/guarded-http-client.ts";
import { MemoryKvStore } from "@fedify/fedify";
import { guardedDocumentLoader } from "../../src/federation/document-loader.ts";
import { OutgoingRequestError } from "../../src/ports/http-client.ts";

const UA = "Herd/0.1.0 (+https://herd.test/)";

async function rejectsWith(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof OutgoingRequestError && e.reason === reason);
}

describe("outgoing HTTP client", () => {
  let server: Server;
  let port = 0;
  let seenUserAgent = "";
  before(async () => {
    server = createServer((req, res) => {
      seenUserAgent = req.headers["user-agent"] ?? "";
      if (req.url === "/hello") return void res.end("hello");
      if (req.url === "/echo") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ host: req.headers.host, headers: req.headers }));
      if (req.url === "/redirect-same") return void res.writeHead(302, { location: "/echo" }).end();
      if (req.url === "/redirect-other") return void res.writeHead(307, { location: `http://other.example:${port}/echo` }).end();
      if (req.url === "/note") return void res.writeHead(200, { "content-type": "application/activity+json" }).end(JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", type: "Note", id: `http://127.0.0.1:${port}/note` }));
      if (req.url === "/big") return void res.end("x".repeat(5000));
      if (req.url === "/stream") {
        res.write("x".repeat(3000));
        res.write("x".repeat(3000));
        return void res.end();
      }
      if (req.url === "/redirect-loopback") return void res.writeHead(302, { location: `http://127.0.0.1:${port}/hello` }).end();
      if (req.url === "/redirect-relative") return void res.writeHead(301, { location: "/hello" }).end();
      if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2_000);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("classifies special addresses, v4-mapped ones included", () => {
    const none = new AddressPolicy([]);
    for (const a of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "224.0.0.1", "2001:db8::1"])
      assert.equal(none.permits(a), false, a);
    for (const a of ["93.184.216.34", "2606:4700:4700::1111", "::ffff:93.184.216.34", "1.1.1.1"]) assert.equal(none.permits(a), true, a);
    const some = new AddressPolicy(["127.0.0.0/8", "fd00::/8"]);
    assert.equal(some.permits("127.0.0.5"), true);
    assert.equal(some.permits("::ffff:127.0.0.1"), true);
    assert.equal(some.permits("fd12::1"), true);
    assert.equal(some.permits("10.0.0.1"), false);
  });

  it("refuses loopback by default, by IP and by a name that resolves to it", async () => {
    const client = new GuardedHttpClient({ allowedPrivateAddresses: [], userAgent: UA, resolve: async () => [{ address: "127.0.0.1", family: 4 }] });
    try {
      await rejectsWith(client.request(`http://127.0.0.1:${port}/hello`), "forbidden_address");
      await rejectsWith(client.request(`http://[::1]:${port}/hello`), "forbidden_address");
      await rejectsWith(client.request(`http://peer.example:${port}/hello`), "forbidden_address");
      await rejectsWith(client.request("file:///etc/passwd"), "bad_url");
    } finally {
      client.close();
    }
  });

  it("connects when ALLOWED_PRIVATE_ADDRESSES lists the address, with Herd's User-Agent", async () => {
    const client = new GuardedHttpClient({ allowedPrivateAddresses: ["127.0.0.1"], userAgent: UA, resolve: async () => [{ address: "127.0.0.1", family: 4 }] });
    try {
      const res = await client.request(`http://peer.example:${port}/hello`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "hello");
      assert.equal(seenUserAgent, UA);
      assert.equal(res.url, `http://peer.example:${port}/hello`);
      const viaFetch = await client.fetch(`http://127.0.0.1:${port}/redirect-relative`);
      assert.equal(await viaFetch.text(), "hello");
      assert.equal(viaFetch.url, `http://127.0.0.1:${port}/hello`);
    } finally {
      client.close();
    }
  });

  it("drops credentials when a redirect changes origin, keeps them on the same origin", async () => {
    const client = new GuardedHttpClient({ allowedPrivateAddresses: ["127.0.0.1"], userAgent: UA, resolve: async () => [{ address: "127.0.0.1", family: 4 }] });
    const headers = {
      authorization: "Bearer secret",
      Signature: 'keyId="k",signature="s"',
      "signature-input": 'sig1=("@method")',
      cookie: "session=1",
      "x-api-key": "also-secret",
      accept: "application/activity+json",
      date: "Tue, 01 Dec 2026 21:00:00 GMT",
    };
    type Echo = { host: string; headers: Record<string, string | undefined> };
    try {
      const same = (await (await client.request(`http://peer.example:${port}/redirect-same`, { headers, sensitiveHeaders: ["X-Api-Key"] })).json()) as Echo;
      assert.equal(same.headers.authorization, "Bearer secret", "the same origin keeps its credentials");
      assert.equal(same.headers.signature, headers.Signature);
      assert.equal(same.headers["x-api-key"], "also-secret");

      for (const via of ["request", "fetch"] as const) {
        const url = `http://peer.example:${port}/redirect-other`;
        const res = via === "request" ? await client.request(url, { method: "POST", body: "{}", headers, sensitiveHeaders: ["X-Api-Key"] }) : await client.fetch(url, { headers });
        const seen = (await res.json()) as Echo;
        assert.equal(seen.host, `other.example:${port}`, "the redirect was followed");
        for (const name of ["authorization", "signature", "signature-input", "cookie"]) assert.equal(seen.headers[name], undefined, `${via}: ${name} is dropped`);
        if (via === "request") assert.equal(seen.headers["x-api-key"], undefined, "a header the caller marked sensitive is dropped");
        assert.equal(seen.headers.accept, "application/activity+json", "other headers still follow");
        assert.equal(seen.headers.date, headers.date);
      }
    } finally {
      client.close();
    }
  });

  it("re-checks every redirect hop", async () => {
    // The first host is "public" (the test resolver says so); its redirect points at loopback, which is not allowed.
    const client = new GuardedHttpClient({
      allowedPrivateAddresses: ["127.0.0.2/32"],
      userAgent: UA,
      resolve: async () => [{ address: "127.0.0.2", family: 4 }],
    });
    const fronted = createServer((_req, res) => void res.writeHead(302, { location: `http://127.0.0.1:${port}/hello` }).end());
    await new Promise<void>((r) => fronted.listen(0, "127.0.0.2", r));
    try {
      const frontPort = (fronted.address() as AddressInfo).port;
      await rejectsWith(client.request(`http://front.example:${frontPort}/`), "forbidden_address");
      const manual = await client.request(`http://front.example:${frontPort}/`, { maxRedirects: 0 });
      assert.equal(manual.status, 302);
    } finally {
      client.close();
      fronted.closeAllConnections();
      await new Promise((r) => fronted.close(r));
    }
  });

  it("is the document loader Fedify fetches with, guard included", async () => {
    const refused = new GuardedHttpClient({ allowedPrivateAddresses: [], userAgent: UA });
    const allowed = new GuardedHttpClient({ allowedPrivateAddresses: ["127.0.0.1"], userAgent: UA });
    try {
      await rejectsWith(guardedDocumentLoader(refused, new MemoryKvStore())(`http://127.0.0.1:${port}/note`), "forbidden_address");
      const doc = await guardedDocumentLoader(allowed, new MemoryKvStore())(`http://127.0.0.1:${port}/note`);
      assert.equal((doc.document as { type: string }).type, "Note");
      // Fedify's bundled contexts never touch the network.
      const context = await guardedDocumentLoader(refused, new MemoryKvStore())("https://www.w3.org/ns/activitystreams");
      assert.ok(context.document);
    } finally {
      refused.close();
      allowed.close();
    }
  });

  it("enforces the size limit, declared or streamed, and the timeout", async () => {
    const client = new GuardedHttpClient({ allowedPrivateAddresses: ["127.0.0.0/8"], userAgent: UA, maxBytes: 4096 });
    try {
      await rejectsWith(client.request(`http://127.0.0.1:${port}/big`), "too_large");
      await rejectsWith(client.request(`http://127.0.0.1:${port}/stream`), "too_large");
      assert.equal((await client.request(`http://127.0.0.1:${port}/big`, { maxBytes: 10_000 })).status, 200);
      await rejectsWith(client.request(`http://127.0.0.1:${port}/slow`, { timeoutMs: 200 }), "timeout");
    } finally {
      client.close();
    }
  });
});
