// Runs s3rver in its own process. Started by s3-server.ts with --openssl-legacy-provider: s3rver encrypts
// ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 only offers through its legacy provider,
// and every truncated listing would otherwise fail with a 500.
import S3rver from "s3rver";

const options = JSON.parse(process.argv[2] ?? "{}") as {
  directory: string;
  serviceEndpoint: string;
  buckets: string[];
};
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory: options.directory,
  serviceEndpoint: options.serviceEndpoint,
  configureBuckets: options.buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.send?.({ port });

async function stop(): Promise<void> {
  await server.close();
  process.exit(0);
}
process.on("message", (message) => {
  if (message === "stop") void stop();
});
// The test process went away without stopping us: do not outlive it.
process.on("disconnect", () => void stop());
