import { randomBytes } from "node:crypto";
import type { Agent as HttpAgent } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ObjectCannedACL,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { MediaConfig } from "../../config/config.ts";
import { assertByteRange, assertMediaKey, encodeKeyPath } from "../../domain/media-keys.ts";
import {
  RangeNotSatisfiableError,
  type MediaStore,
  type PutOptions,
  type StoredObject,
} from "../../ports/media-store.ts";
import { explainBucketFailure, explainDeleteFailure, explainWriteFailure, isNotFound, s3ErrorFacts } from "./s3-errors.ts";

/** Keys never get new content, so caches may keep them for good. */
export const DEFAULT_CACHE_CONTROL = "public, max-age=315576000, immutable";

/** S3's smallest part (except the last): the least memory a multipart upload can buffer per part. */
const MIN_PART_SIZE = 5 * 1024 * 1024;

/** Settings that are not configuration: connection plumbing and tuning. */
export interface S3MediaStoreOptions {
  /** Agents for the HTTP handler (tests resolve virtual hosts to loopback with one); the SDK's keep-alive agents otherwise. */
  readonly httpAgent?: HttpAgent;
  readonly httpsAgent?: HttpsAgent;
  /** Part size of multipart uploads in bytes, at least 5 MiB. Memory per upload is about four parts. */
  readonly partSize?: number;
  /** Keys asked for per ListObjectsV2 request, at most S3's 1000. */
  readonly listPageSize?: number;
}

/**
 * Media in an S3-compatible bucket (AWS, MinIO, Ceph, Garage, R2, B2…): path-style or virtual-host addressing,
 * canned ACL per object unless S3_PERMISSION is empty, public URLs through an alias host (CDN) when one is set.
 */
export class S3MediaStore implements MediaStore {
  readonly kind = "s3" as const;
  #client: S3Client;
  #config: Extract<MediaConfig, { kind: "s3" }>;
  #partSize: number;
  #listPageSize: number;

  constructor(config: Extract<MediaConfig, { kind: "s3" }>, options: S3MediaStoreOptions = {}) {
    this.#config = config;
    this.#partSize = Math.max(MIN_PART_SIZE, options.partSize ?? MIN_PART_SIZE);
    this.#listPageSize = Math.min(1000, Math.max(1, options.listPageSize ?? 1000));
    this.#client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.accessKeyId && config.secretAccessKey
        ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
        : {}),
      // Newer SDKs add CRC checksums to every request and check them on replies; s3rver, older MinIO, Ceph and B2
      // reject or omit them. Only send checksums where S3 itself demands one.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: {
        // A dead endpoint must fail a request, not hang a worker.
        connectionTimeout: 10_000,
        socketTimeout: 120_000,
        ...(options.httpAgent ? { httpAgent: options.httpAgent } : {}),
        ...(options.httpsAgent ? { httpsAgent: options.httpsAgent } : {}),
      },
    });
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    assertMediaKey(key);
    const params: PutObjectCommandInput = {
      Bucket: this.#config.bucket,
      Key: key,
      ContentType: options.contentType,
      CacheControl: options.cacheControl ?? DEFAULT_CACHE_CONTROL,
      ...this.#acl(),
    };
    if (Buffer.isBuffer(body)) {
      await this.#client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: body.length }));
    } else if (this.#config.forceSingleRequest) {
      // Some providers mishandle multipart uploads (S3_FORCE_SINGLE_REQUEST): buffer and send in one request.
      const whole = Buffer.concat(await body.toArray());
      await this.#client.send(new PutObjectCommand({ ...params, Body: whole, ContentLength: whole.length }));
    } else {
      // A stream has no known length; lib-storage sends it as parts (or one PUT when it is smaller than a part).
      const upload = new Upload({
        client: this.#client,
        params: { ...params, Body: body },
        partSize: this.#partSize,
        queueSize: 4,
        leavePartsOnError: false,
      });
      await upload.done();
    }
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<StoredObject | null> {
    assertMediaKey(key);
    if (range) assertByteRange(range);
    let reply;
    try {
      reply = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#config.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ""}` } : {}),
        }),
      );
    } catch (error) {
      if (isNotFound(error)) return null;
      const { status, name } = s3ErrorFacts(error);
      if (range && (status === 416 || name === "InvalidRange")) {
        const size = await this.#sizeOf(key);
        if (size === null) return null;
        throw new RangeNotSatisfiableError(key, range.start, size);
      }
      throw error;
    }
    const body = reply.Body;
    if (!(body instanceof Readable)) throw new Error(`S3 returned no readable body for ${JSON.stringify(key)}`);
    const size = reply.ContentLength ?? 0;
    const contentType = reply.ContentType ?? "application/octet-stream";
    if (!range) return { body, size, contentType };
    const served = parseContentRange(reply.ContentRange) ?? { start: 0, end: size - 1, total: size };
    if (range.start >= served.total) {
      body.destroy();
      throw new RangeNotSatisfiableError(key, range.start, served.total);
    }
    const end = Math.min(range.end ?? served.total - 1, served.total - 1);
    if (served.start === range.start && served.end === end) return { body, size, contentType, range: served };
    // Some S3-compatible servers serve more than asked: s3rver reads `bytes=0-0` as "from 0 to the end", others
    // ignore Range and send the whole object. Cut the asked bytes out of what came, if they are in it.
    if (served.start > range.start || served.end < end) {
      body.destroy();
      throw new Error(`the S3 server answered bytes ${served.start}-${served.end} for ${range.start}-${end} of ${JSON.stringify(key)}`);
    }
    return {
      body: sliceStream(body, range.start - served.start, end - range.start + 1),
      size: end - range.start + 1,
      contentType,
      range: { start: range.start, end, total: served.total },
    };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#sizeOf(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    assertMediaKey(key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#config.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async list(prefix: string, after: string | null, limit: number): Promise<{ key: string; size: number }[]> {
    const found: { key: string; size: number }[] = [];
    let continuationToken: string | undefined;
    // S3 answers at most 1000 keys a request; larger pages take several, chained by continuation tokens.
    while (found.length < limit) {
      const reply = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#config.bucket,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(continuationToken ? { ContinuationToken: continuationToken } : after !== null ? { StartAfter: after } : {}),
          MaxKeys: Math.min(this.#listPageSize, limit - found.length),
        }),
      );
      for (const object of reply.Contents ?? []) {
        if (object.Key !== undefined && found.length < limit) found.push({ key: object.Key, size: object.Size ?? 0 });
      }
      if (!reply.IsTruncated || !reply.NextContinuationToken) break;
      continuationToken = reply.NextContinuationToken;
    }
    return found;
  }

  url(key: string): string {
    assertMediaKey(key);
    const { aliasHost, bucket, protocol, hostname, endpoint, region, forcePathStyle } = this.#config;
    const path = encodeKeyPath(key);
    if (aliasHost) return `${protocol}://${aliasHost.replace(/\/+$/, "")}/${path}`;
    // S3_HOSTNAME is the public name of the service when the endpoint Herd talks to is internal (http://minio:9000).
    const awsHost = `s3.${region}.amazonaws.com`;
    if (forcePathStyle) {
      const base = hostname ? `${protocol}://${hostname}` : endpoint ? endpoint.replace(/\/+$/, "") : `${protocol}://${awsHost}`;
      return `${base}/${bucket}/${path}`;
    }
    const host = hostname ?? (endpoint ? new URL(endpoint).host : awsHost);
    return `${protocol}://${bucket}.${host}/${path}`;
  }

  async check(): Promise<void> {
    const bucket = this.#config.bucket;
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      throw explainBucketFailure(this.#config, error);
    }
    // Reading the bucket proves little: uploads are what break (ACLs refused, write permission missing).
    const probe = `herd-check/probe-${Date.now()}-${randomBytes(6).toString("hex")}.txt`;
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: bucket, Key: probe, Body: "ok", ContentType: "text/plain", ...this.#acl() }),
      );
    } catch (error) {
      throw explainWriteFailure(this.#config, error);
    }
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: bucket, Key: probe }));
    } catch (error) {
      throw explainDeleteFailure(this.#config, error);
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  #acl(): { ACL?: ObjectCannedACL } {
    // An empty S3_PERMISSION is for buckets that refuse ACLs outright (object ownership "bucket owner enforced").
    return this.#config.permission ? { ACL: this.#config.permission as ObjectCannedACL } : {};
  }

  async #sizeOf(key: string): Promise<number | null> {
    assertMediaKey(key);
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#config.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

/** `length` bytes of `source` after skipping `skip`, as a stream; the rest is not read and the source is released. */
function sliceStream(source: Readable, skip: number, length: number): Readable {
  return Readable.from(
    (async function* () {
      let toSkip = skip;
      let left = length;
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          let part = chunk;
          if (toSkip > 0) {
            const skipped = Math.min(toSkip, part.length);
            toSkip -= skipped;
            part = part.subarray(skipped);
          }
          if (part.length === 0) continue;
          if (part.length > left) part = part.subarray(0, left);
          left -= part.length;
          yield part;
          if (left === 0) break;
        }
      } finally {
        source.destroy();
      }
    })(),
  );
}

function parseContentRange(header: string | undefined): { start: number; end: number; total: number } | null {
  const match = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim()) : null;
  return match ? { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) } : null;
}
