import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { createHttpApp } from "../../src/http/app.ts";
import { mountLocalMedia } from "../../src/http/local-media.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { LocalMediaStore } from "../../src/adapters/local/local-media-store.ts";
import { S3MediaStore, type S3MediaStoreOptions } from "../../src/adapters/s3/s3-media-store.ts";
import { ConfigError, type MediaConfig } from "../../src/config/config.ts";
import { closedPort } from "../support/closed-port.ts";
import {
  loopbackAgent,
  S3RVER_KEY,
  startFaultProxy,
  startS3rver,
  type S3Fault,
  type TestS3Server,
} from "../support/s3-server.ts";
import { mediaStoreContract } from "./media-store.contract.ts";

type S3Config = Extract<MediaConfig, { kind: "s3" }>;

const PATH_BUCKET = "herd-path";
const VHOST_BUCKET = "herd-vhost";
const CHECK_BUCKET = "herd-check";
const S3RVER_LIST_ORDER = "s3rver lists in directory-walk order (a/… before a-x); S3 itself orders by bytes";

// One s3rver for the whole file, started by the first suite that needs it.
let s3rver: Promise<TestS3Server> | null = null;
function s3Server(): Promise<TestS3Server> {
  s3rver ??= startS3rver([PATH_BUCKET, VHOST_BUCKET, CHECK_BUCKET]);
  return s3rver;
}
after(async () => {
  if (s3rver) await (await s3rver).stop();
});

function s3Config(overrides: Partial<S3Config> & { bucket: string }): S3Config {
  return {
    kind: "s3",
    region: "us-east-1",
    endpoint: null,
    forcePathStyle: true,
    aliasHost: null,
    protocol: "http",
    hostname: null,
    permission: "public-read",
    forceSingleRequest: false,
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_KEY,
    ...overrides,
  };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "herd-media-"));
}

async function fetchWithFetch(url: string) {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** GET through a given agent (for virtual-host names only the test agent resolves). */
function fetchWithAgent(url: string, agent: S3MediaStoreOptions["httpAgent"]) {
  return new Promise<{ status: number; headers: Headers; body: Buffer }>((resolve, reject) => {
    httpGet(url, { agent }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === "string") headers.set(name, value);
        resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
      response.on("error", reject);
    }).on("error", reject);
  });
}

/** Runs `fn` expecting a ConfigError for `variable` whose text includes every one of `phrases`. */
async function assertConfigError(promise: Promise<unknown>, variable: string, ...phrases: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.variable, variable, error.message);
    assert.ok(error.message.startsWith(`${variable}:`), error.message);
    for (const phrase of phrases) assert.ok(error.message.includes(phrase), `${JSON.stringify(phrase)} missing from: ${error.message}`);
    return true;
  });
}

mediaStoreContract("local", async () => {
  const root = await tempDir();
  const store = new LocalMediaStore(join(root, "media"), "https://herd.example");
  // Herd itself serves the local store's URLs: the route a running instance mounts.
  const app = createHttpApp({ log: silentLogger, trustedProxies: [], metricsAllowed: [], health: [] });
  mountLocalMedia(app, store);
  return {
    store,
    close: () => rm(root, { recursive: true, force: true }),
    fetchUrl: async (url: string) => {
      const response = await app.request(url);
      return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
    },
  };
});

mediaStoreContract("s3 (path-style, s3rver)", async () => {
  const server = await s3Server();
  const store = new S3MediaStore(s3Config({ bucket: PATH_BUCKET, endpoint: server.endpoint }));
  return { store, close: () => store.close(), fetchUrl: fetchWithFetch, skipByteOrder: S3RVER_LIST_ORDER };
});

mediaStoreContract("s3 (virtual-host, s3rver)", async () => {
  const server = await s3Server();
  const agent = loopbackAgent();
  const store = new S3MediaStore(
    s3Config({ bucket: VHOST_BUCKET, endpoint: server.vhostEndpoint, forcePathStyle: false }),
    { httpAgent: agent },
  );
  return {
    store,
    fetchUrl: (url) => fetchWithAgent(url, agent),
    skipByteOrder: S3RVER_LIST_ORDER,
    async close() {
      await store.close();
      agent.destroy();
    },
  };
});

describe("LocalMediaStore", () => {
  let root: string;
  before(async () => {
    root = await tempDir();
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("builds URLs under /system/ on the public base URL, path segments encoded", () => {
    const store = new LocalMediaStore(join(root, "urls"), "https://herd.example/");
    assert.equal(
      store.url("media_attachments/files/110/001/original/ab12cd.png"),
      "https://herd.example/system/media_attachments/files/110/001/original/ab12cd.png",
    );
    assert.equal(store.url("cache/a b/é#.png"), "https://herd.example/system/cache/a%20b/%C3%A9%23.png");
  });

  it("creates a missing root in its check, and names DATA_DIR when the root cannot be written", async () => {
    const good = new LocalMediaStore(join(root, "created", "media"), "http://localhost:3000");
    await good.check();
    assert.ok((await stat(join(root, "created", "media"))).isDirectory());
    assert.deepEqual(await readdir(join(root, "created", "media")), [], "the probe file is removed");

    // A root below a regular file cannot exist, whoever runs the test (root ignores permission bits).
    await writeFile(join(root, "plain-file"), "x");
    const bad = new LocalMediaStore(join(root, "plain-file", "media"), "http://localhost:3000");
    await assertConfigError(bad.check(), "DATA_DIR", join(root, "plain-file", "media"), "not writable", "chown");
  });

  it("leaves only the file and its hidden sidecar after a put, and prunes empty directories after a delete", async () => {
    const store = new LocalMediaStore(join(root, "prune"), "http://localhost:3000");
    await store.put("a/b/c/file.png", Buffer.from("png"), { contentType: "image/png" });
    await store.put("a/keep.png", Buffer.from("png"), { contentType: "image/png" });
    assert.deepEqual((await readdir(join(root, "prune", "a", "b", "c"))).sort(), [".file.png.meta", "file.png"]);
    await store.delete("a/b/c/file.png");
    await assert.rejects(stat(join(root, "prune", "a", "b")), { code: "ENOENT" });
    assert.deepEqual(await readdir(join(root, "prune", "a")), [".keep.png.meta", "keep.png"]);
    await store.delete("a/keep.png");
    assert.deepEqual(await readdir(join(root, "prune")), [], "the root itself stays");
  });

  it("serves files copied in without a sidecar, typed by extension, and lists no hidden files", async () => {
    const store = new LocalMediaStore(join(root, "copied"), "http://localhost:3000");
    await mkdir(join(root, "copied", "accounts", "avatars"), { recursive: true });
    await writeFile(join(root, "copied", "accounts", "avatars", "me.JPG"), "jpeg");
    await writeFile(join(root, "copied", "accounts", "avatars", "blob"), "???");
    await writeFile(join(root, "copied", "accounts", ".DS_Store"), "junk");
    const jpeg = await store.get("accounts/avatars/me.JPG");
    assert.ok(jpeg);
    assert.equal(jpeg.contentType, "image/jpeg");
    jpeg.body.destroy();
    const blob = await store.get("accounts/avatars/blob");
    assert.ok(blob);
    assert.equal(blob.contentType, "application/octet-stream");
    blob.body.destroy();
    assert.deepEqual(await store.list("", null, 10), [
      { key: "accounts/avatars/blob", size: 3 },
      { key: "accounts/avatars/me.JPG", size: 4 },
    ]);
  });

  it("does not follow a key to a directory", async () => {
    const store = new LocalMediaStore(join(root, "dirs"), "http://localhost:3000");
    await store.put("x/y/z.png", Buffer.from("z"), { contentType: "image/png" });
    assert.equal(await store.get("x/y"), null);
    assert.equal(await store.exists("x/y"), false);
  });

  it("writes through a temporary file: a failed stream leaves no partial or temporary file", async () => {
    const store = new LocalMediaStore(join(root, "atomic"), "http://localhost:3000");
    await store.put("v/clip.mp4", Buffer.from("old content"), { contentType: "video/mp4" });
    const broken = Readable.from(
      (async function* () {
        yield Buffer.from("new cont");
        throw new Error("cut off");
      })(),
    );
    await assert.rejects(store.put("v/clip.mp4", broken, { contentType: "video/mp4" }), /cut off/);
    const stored = await store.get("v/clip.mp4");
    assert.ok(stored);
    assert.equal(Buffer.concat(await stored.body.toArray()).toString(), "old content");
    assert.deepEqual((await readdir(join(root, "atomic", "v"))).filter((name) => name.endsWith(".tmp")), []);
  });
});

describe("S3MediaStore URLs", () => {
  const key = "media_attachments/files/110/001/original/ab12cd.png";
  const url = (overrides: Partial<S3Config>) => {
    const store = new S3MediaStore(s3Config({ bucket: "herd-media", ...overrides }));
    try {
      return store.url(key);
    } finally {
      void store.close();
    }
  };

  it("uses the alias host (CDN) when one is set, whatever the addressing", () => {
    assert.equal(url({ aliasHost: "media.example.com", protocol: "https" }), `https://media.example.com/${key}`);
    assert.equal(
      url({ aliasHost: "cdn.example.com/", protocol: "https", forcePathStyle: false, endpoint: "https://s3.example.net" }),
      `https://cdn.example.com/${key}`,
    );
  });

  it("puts the bucket in the path with path-style addressing", () => {
    assert.equal(url({ endpoint: "http://127.0.0.1:9000/" }), `http://127.0.0.1:9000/herd-media/${key}`);
    assert.equal(
      url({ endpoint: "http://minio:9000", hostname: "files.example.com", protocol: "https" }),
      `https://files.example.com/herd-media/${key}`,
      "S3_HOSTNAME is the public name of an internal endpoint",
    );
    assert.equal(url({ region: "eu-west-3", protocol: "https" }), `https://s3.eu-west-3.amazonaws.com/herd-media/${key}`);
    assert.equal(url({ bucket: "media.example.com", endpoint: "https://s3.example.net" }), `https://s3.example.net/media.example.com/${key}`);
  });

  it("puts the bucket in the host name with virtual-host addressing", () => {
    assert.equal(
      url({ forcePathStyle: false, region: "eu-central-1", protocol: "https" }),
      `https://herd-media.s3.eu-central-1.amazonaws.com/${key}`,
    );
    assert.equal(
      url({ forcePathStyle: false, hostname: "s3.fr-par.scw.cloud", endpoint: "https://s3.fr-par.scw.cloud", protocol: "https" }),
      `https://herd-media.s3.fr-par.scw.cloud/${key}`,
    );
    assert.equal(
      url({ forcePathStyle: false, endpoint: "http://s3.herd.test:9000", protocol: "http" }),
      `http://herd-media.s3.herd.test:9000/${key}`,
    );
  });

  it("percent-encodes key segments", () => {
    const store = new S3MediaStore(s3Config({ bucket: "b", aliasHost: "m.example", protocol: "https" }));
    assert.equal(store.url("cache/a b/é.png"), "https://m.example/cache/a%20b/%C3%A9.png");
    void store.close();
  });
});

describe("S3MediaStore against s3rver", () => {
  let server: TestS3Server;
  before(async () => {
    server = await s3Server();
  });

  /** Builds a store, runs `fn`, always releases the client. */
  async function withStore(config: Partial<S3Config> & { bucket: string }, fn: (store: S3MediaStore) => Promise<void>, options?: S3MediaStoreOptions) {
    const store = new S3MediaStore(s3Config({ endpoint: server.endpoint, ...config }), options);
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  }

  /** A proxy that records requests and answers the ones `fault` picks with an S3 error. */
  async function withProxy(
    fault: (method: string, url: string, headers: Record<string, string | string[] | undefined>) => S3Fault | null,
    fn: (endpoint: string, seen: { method: string; url: string; headers: Record<string, string | string[] | undefined> }[]) => Promise<void>,
  ) {
    const seen: { method: string; url: string; headers: Record<string, string | string[] | undefined> }[] = [];
    const proxy = await startFaultProxy(server.port, (req) => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
      return fault(req.method ?? "", req.url ?? "", req.headers);
    });
    try {
      await fn(proxy.endpoint, seen);
    } finally {
      await proxy.stop();
    }
  }

  it("addresses the bucket by host name in virtual-host style", async () => {
    const agent = loopbackAgent();
    try {
      await withStore(
        { bucket: VHOST_BUCKET, endpoint: server.vhostEndpoint, forcePathStyle: false },
        async (store) => {
          await store.put("vhost/check.txt", Buffer.from("hi"), { contentType: "text/plain" });
          assert.ok(await store.exists("vhost/check.txt"));
        },
        { httpAgent: agent },
      );
      assert.ok(agent.hostnames.has(`${VHOST_BUCKET}.s3.herd.test`), [...agent.hostnames].join(", "));
    } finally {
      agent.destroy();
    }
  });

  it("names S3_BUCKET when the bucket does not exist", async () => {
    await withStore({ bucket: "no-such-bucket" }, async (store) => {
      await assertConfigError(store.check(), "S3_BUCKET", '"no-such-bucket"', "does not exist", "Set S3_BUCKET");
    });
  });

  it("names S3_ENDPOINT when nothing listens there", async () => {
    const port = await closedPort();
    await withStore({ bucket: CHECK_BUCKET, endpoint: `http://127.0.0.1:${port}` }, async (store) => {
      await assertConfigError(store.check(), "S3_ENDPOINT", `127.0.0.1:${port}`, "ECONNREFUSED", "Set S3_ENDPOINT");
    });
  });

  it("names AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when the key is refused", async () => {
    await withStore({ bucket: CHECK_BUCKET, accessKeyId: "NOT-A-KEY" }, async (store) => {
      await assertConfigError(store.check(), "AWS_ACCESS_KEY_ID", "denied", "AWS_SECRET_ACCESS_KEY");
    });
  });

  it("tells to set S3_PERMISSION= (empty) when the bucket refuses ACLs, and sends no ACL when it is empty", async () => {
    const refuseAcls = (method: string, _url: string, headers: Record<string, unknown>): S3Fault | null =>
      method === "PUT" && headers["x-amz-acl"]
        ? { status: 400, code: "AccessControlListNotSupported", message: "The bucket does not allow ACLs" }
        : null;
    await withProxy(refuseAcls, async (endpoint, seen) => {
      await withStore({ bucket: CHECK_BUCKET, endpoint }, async (store) => {
        await assertConfigError(store.check(), "S3_PERMISSION", "S3_PERMISSION= (empty)", "public-read");
      });
      const firstStore = seen.length;
      await withStore({ bucket: CHECK_BUCKET, endpoint, permission: "" }, async (store) => {
        await store.check();
        await store.put("no-acl/a.png", Buffer.from("png"), { contentType: "image/png" });
        await store.put("no-acl/b.bin", Readable.from([randomBytes(6 * 1024 * 1024)]), { contentType: "application/octet-stream" });
      });
      const writes = (requests: typeof seen) => requests.filter((request) => request.method === "PUT" || request.method === "POST");
      assert.ok(writes(seen.slice(0, firstStore)).some((request) => request.headers["x-amz-acl"] === "public-read"), "the first store sent its ACL");
      const unlabelled = writes(seen.slice(firstStore));
      assert.ok(unlabelled.length >= 5, "probe, buffer, and a multipart upload");
      assert.ok(unlabelled.every((request) => request.headers["x-amz-acl"] === undefined), "the second store sent none");
    });
  });

  it("names the permission to grant when the key may not write or delete", async () => {
    await withProxy(
      (method) => (method === "PUT" ? { status: 403, code: "AccessDenied", message: "Access Denied" } : null),
      async (endpoint) => {
        await withStore({ bucket: CHECK_BUCKET, endpoint }, async (store) => {
          await assertConfigError(store.check(), "AWS_ACCESS_KEY_ID", "s3:PutObject", "s3:PutObjectAcl", `arn:aws:s3:::${CHECK_BUCKET}/*`);
        });
      },
    );
    await withProxy(
      (method) => (method === "DELETE" ? { status: 403, code: "AccessDenied", message: "Access Denied" } : null),
      async (endpoint) => {
        await withStore({ bucket: CHECK_BUCKET, endpoint }, async (store) => {
          await assertConfigError(store.check(), "AWS_ACCESS_KEY_ID", "s3:DeleteObject");
        });
      },
    );
  });

  it("follows continuation tokens when a page needs several list requests", async () => {
    await withProxy(
      () => null,
      async (endpoint, seen) => {
        await withStore(
          { bucket: CHECK_BUCKET, endpoint },
          async (store) => {
            const keys = ["c", "a", "e", "b", "f", "d"].map((name) => `continued/${name}.png`);
            for (const key of keys) await store.put(key, Buffer.from(key), { contentType: "image/png" });
            seen.length = 0;
            assert.deepEqual((await store.list("continued/", null, 5)).map((o) => o.key), keys.toSorted().slice(0, 5));
            const lists = seen.filter((request) => request.method === "GET" && /[?&]list-type=2/.test(request.url));
            assert.equal(lists.length, 3, lists.map((r) => r.url).join("; "));
            assert.ok(lists.slice(1).every((request) => /[?&]continuation-token=/.test(request.url)));
            assert.deepEqual((await store.list("continued/", "continued/d.png", 5)).map((o) => o.key), ["continued/e.png", "continued/f.png"]);
          },
          { listPageSize: 2 },
        );
      },
    );
  });

  it("uploads a large stream in parts, or in one request with S3_FORCE_SINGLE_REQUEST, with ACL and Cache-Control", async () => {
    const data = randomBytes(11 * 1024 * 1024);
    await withProxy(
      () => null,
      async (endpoint, seen) => {
        await withStore({ bucket: CHECK_BUCKET, endpoint }, async (store) => {
          await store.put("parts/multi.bin", Readable.from([data]), { contentType: "application/x-test" });
        });
        const multipart = seen.filter((request) => /[?&]uploadId=/.test(request.url));
        assert.ok(multipart.length >= 3, `expected parts and a completion, saw ${seen.map((r) => `${r.method} ${r.url}`).join("; ")}`);
        const initiate = seen.find((request) => request.method === "POST" && /[?&]uploads/.test(request.url));
        assert.ok(initiate);
        assert.equal(initiate.headers["x-amz-acl"], "public-read");
        assert.equal(initiate.headers["cache-control"], "public, max-age=315576000, immutable");

        seen.length = 0;
        await withStore({ bucket: CHECK_BUCKET, endpoint, forceSingleRequest: true }, async (store) => {
          await store.put("parts/single.bin", Readable.from([data]), { contentType: "application/x-test", cacheControl: "private" });
          const stored = await store.get("parts/single.bin");
          assert.ok(stored);
          assert.equal(stored.size, data.length);
          assert.deepEqual(Buffer.concat(await stored.body.toArray()), data);
        });
        const writes = seen.filter((request) => request.method === "PUT" || request.method === "POST");
        assert.equal(writes.length, 1, writes.map((r) => `${r.method} ${r.url}`).join("; "));
        assert.equal(writes[0].headers["cache-control"], "private");
      },
    );
  });
});
