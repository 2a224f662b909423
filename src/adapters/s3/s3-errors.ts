import { ConfigError, type MediaConfig } from "../../config/config.ts";

type S3Config = Extract<MediaConfig, { kind: "s3" }>;

/** What an S3 SDK error (or the network error under it) says, read defensively: shapes vary by provider. */
export interface S3ErrorFacts {
  /** The S3 error code (`NoSuchKey`, `AccessDenied`…) or, for bodiless HEAD replies, the SDK's name for the status. */
  readonly name: string;
  readonly status: number | undefined;
  readonly message: string;
  /** A socket-level code such as ECONNREFUSED, found on the error or its causes. */
  readonly networkCode: string | undefined;
}

const networkCodes = new Set([
  "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT",
  "EPIPE", "ECONNABORTED", "TimeoutError", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Extracts the facts of an error thrown by the S3 client. */
export function s3ErrorFacts(error: unknown): S3ErrorFacts {
  const e = (error ?? {}) as { name?: unknown; Code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = typeof e.Code === "string" ? e.Code : typeof e.name === "string" ? e.name : "Error";
  return {
    name,
    status: e.$metadata?.httpStatusCode,
    message: (typeof e.message === "string" ? e.message : String(error)).replace(/\s+/g, " ").trim(),
    networkCode: findNetworkCode(error, 0),
  };
}

function findNetworkCode(error: unknown, depth: number): string | undefined {
  if (typeof error !== "object" || error === null || depth > 4) return undefined;
  const e = error as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string" && networkCodes.has(e.code)) return e.code;
  if (typeof e.name === "string" && e.name === "TimeoutError") return "TimeoutError";
  // Happy-eyeballs connects fail with an AggregateError holding one error per address.
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const code = findNetworkCode(inner, depth + 1);
    if (code) return code;
  }
  return undefined;
}

function statusAndName(facts: S3ErrorFacts): string {
  // Bodiless replies (HEAD) carry no code; the SDK then names them "Unknown", which tells the operator nothing.
  return [facts.status, facts.name === "Unknown" ? undefined : facts.name].filter((part) => part !== undefined).join(" ");
}

/** True when the object or bucket does not exist (GET/HEAD 404). */
export function isNotFound(error: unknown): boolean {
  const { name, status } = s3ErrorFacts(error);
  return status === 404 || name === "NoSuchKey" || name === "NotFound";
}

/** Where the client sends requests, for messages. */
export function describeEndpoint(config: S3Config): string {
  return config.endpoint ?? `AWS S3 in ${config.region}`;
}

/** A start-up failure that reached no S3 reply at all, or an SDK configuration error, explained; else null. */
function explainUnreachable(config: S3Config, facts: S3ErrorFacts): ConfigError | null {
  if (facts.networkCode) {
    const where = describeEndpoint(config);
    if (facts.networkCode === "ENOTFOUND" && !config.forcePathStyle)
      return new ConfigError(
        "S3_ENDPOINT",
        `cannot resolve the bucket's virtual host at ${where} (${facts.message})`,
        "Virtual-host addressing needs DNS for <bucket>.<host>: set S3_FORCE_PATH_STYLE=true for MinIO, Ceph, Garage and most self-hosted servers, or correct S3_ENDPOINT / S3_HOSTNAME.",
      );
    if (facts.networkCode.startsWith("CERT_") || facts.networkCode.includes("CERT") || facts.networkCode.startsWith("ERR_TLS"))
      return new ConfigError(
        "S3_ENDPOINT",
        `the TLS certificate of ${where} was refused (${facts.networkCode}: ${facts.message})`,
        "Set S3_ENDPOINT to the https URL the certificate was issued for (with virtual-host addressing a bucket name with dots does not match it: set S3_FORCE_PATH_STYLE=true).",
      );
    return new ConfigError(
      "S3_ENDPOINT",
      `cannot reach the S3 service at ${where} (${facts.networkCode}: ${facts.message})`,
      "Set S3_ENDPOINT to the URL of your S3-compatible server, including scheme and port (for example http://127.0.0.1:9000 for MinIO), or leave it unset for AWS S3 and set S3_REGION; check that the server is running and reachable from this host.",
    );
  }
  if (facts.name === "CredentialsProviderError")
    return new ConfigError(
      "AWS_ACCESS_KEY_ID",
      `no credentials for the bucket ${JSON.stringify(config.bucket)} (${facts.message})`,
      "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the bucket's access key, or run with an instance role.",
    );
  return null;
}

/** Explains a failed HeadBucket: the bucket is missing, the keys are refused, the region is wrong, or no server. */
export function explainBucketFailure(config: S3Config, error: unknown): Error {
  const facts = s3ErrorFacts(error);
  const unreachable = explainUnreachable(config, facts);
  const bucket = JSON.stringify(config.bucket);
  const where = describeEndpoint(config);
  let problem: ConfigError;
  if (unreachable) problem = unreachable;
  else if (facts.status === 404 || facts.name === "NotFound" || facts.name === "NoSuchBucket")
    problem = new ConfigError(
      "S3_BUCKET",
      `the bucket ${bucket} does not exist at ${where}`,
      "Set S3_BUCKET to the name of an existing bucket, or create the bucket first (for example: aws s3 mb s3://" +
        `${config.bucket}${config.endpoint ? ` --endpoint-url ${config.endpoint}` : ""}).`,
    );
  else if (
    facts.status === 401 || facts.status === 403 ||
    ["AccessDenied", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"].includes(facts.name)
  )
    problem = new ConfigError(
      "AWS_ACCESS_KEY_ID",
      `access to the bucket ${bucket} at ${where} was denied (${statusAndName(facts)})`,
      "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a key pair that may read and write this bucket (s3:ListBucket, s3:GetObject, s3:PutObject, s3:PutObjectAcl unless S3_PERMISSION is empty, s3:DeleteObject).",
    );
  else if (facts.status === 301 || facts.status === 400 || ["PermanentRedirect", "MovedPermanently", "AuthorizationHeaderMalformed"].includes(facts.name))
    problem = new ConfigError(
      "S3_REGION",
      `the bucket ${bucket} answered ${statusAndName(facts)}: it lives in another region than ${config.region}, or S3_ENDPOINT points at the wrong service`,
      "Set S3_REGION to the bucket's region (and S3_ENDPOINT to that region's endpoint when not on AWS).",
    );
  else return new Error(`S3 bucket ${bucket} at ${where} failed its start-up check: ${facts.name}: ${facts.message}`, { cause: error });
  problem.cause = error;
  return problem;
}

/** Explains a failed write of the start-up probe object: ACLs refused, permission missing, or anything else. */
export function explainWriteFailure(config: S3Config, error: unknown): Error {
  const facts = s3ErrorFacts(error);
  const bucket = JSON.stringify(config.bucket);
  const unreachable = explainUnreachable(config, facts);
  const aclRefused =
    config.permission !== "" &&
    (facts.name === "AccessControlListNotSupported" ||
      /\bACLs?\b|x-amz-acl|access control list|uniform bucket-level access/i.test(facts.message) ||
      facts.name === "NotImplemented");
  let problem: ConfigError;
  if (unreachable) problem = unreachable;
  else if (aclRefused)
    problem = new ConfigError(
      "S3_PERMISSION",
      `the bucket ${bucket} refused an upload with the ACL ${JSON.stringify(config.permission)} (${facts.name}: ${facts.message}); buckets with "Bucket owner enforced" object ownership, Cloudflare R2, Backblaze B2 and others take no ACLs`,
      "Set S3_PERMISSION= (empty) for buckets without ACLs, and make media publicly readable with a bucket policy (s3:GetObject on the objects only, never s3:ListBucket) or through S3_ALIAS_HOST.",
    );
  else if (facts.status === 403 || facts.name === "AccessDenied")
    problem = new ConfigError(
      "AWS_ACCESS_KEY_ID",
      `the key may not write to the bucket ${bucket} (${facts.name}: ${facts.message})`,
      `Grant the key of AWS_ACCESS_KEY_ID s3:PutObject${config.permission ? " and s3:PutObjectAcl" : ""} and s3:DeleteObject on arn:aws:s3:::${config.bucket}/*, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a key that has them.`,
    );
  else if (facts.name === "InvalidArgument" && config.permission)
    problem = new ConfigError(
      "S3_PERMISSION",
      `the bucket ${bucket} refused an upload (${facts.name}: ${facts.message})`,
      "Set S3_PERMISSION to a canned ACL the provider knows (public-read is the usual one), or to nothing for buckets without ACLs.",
    );
  else return new Error(`writing a probe object to the S3 bucket ${bucket} failed: ${facts.name}: ${facts.message}`, { cause: error });
  problem.cause = error;
  return problem;
}

/** Explains a failed delete of the start-up probe object. */
export function explainDeleteFailure(config: S3Config, error: unknown): Error {
  const facts = s3ErrorFacts(error);
  const problem =
    explainUnreachable(config, facts) ??
    new ConfigError(
      "AWS_ACCESS_KEY_ID",
      `the key may write to the bucket ${JSON.stringify(config.bucket)} but not delete from it (${facts.name}: ${facts.message}); media cleanup needs deletes`,
      `Grant the key of AWS_ACCESS_KEY_ID s3:DeleteObject on arn:aws:s3:::${config.bucket}/*.`,
    );
  problem.cause = error;
  return problem;
}
