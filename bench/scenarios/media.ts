/**
 * Media processing through the path an upload takes (uploadMedia: sniff, inspect, original + small + blurhash,
 * files written to a LocalMediaStore, the row in SQLite):
 * 1. a 12-megapixel JPEG (4000×3000 with noise, so it does not compress to nothing), images per second one at a
 *    time and with 2 uploads in flight;
 * 2. a 10 s 720p H.264/AAC video (ffmpeg lavfi testsrc + sine), its processing time (the 202 path's job).
 * Peak RSS of this process during each phase: VmHWM after resetting it (/proc/self/clear_refs), or the highest
 * VmRSS sampled every 20 ms where the reset is not allowed.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { buildContainer, type Container } from "../../src/app/container.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { loadConfig } from "../../src/config/load.ts";
import { mediaDeps } from "../../src/jobs/media.ts";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { processQueuedMedia } from "../../src/services/media/process-media.ts";
import { uploadMedia } from "../../src/services/media/upload-media.ts";
import type { BenchResult } from "../run.ts";
import { tempDir } from "../support.ts";

const IMAGES = Number(process.env.BENCH_MEDIA_IMAGES ?? 24);
const VIDEO_RUNS = 2;

const run2 = promisify(execFile);

let statusText = "";

function statusKiB(field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(statusText);
  return m ? Number(m[1]) : 0;
}

/** Tracks the peak RSS of one phase: VmHWM when it can be reset, else sampled VmRSS. */
async function peakDuring<T>(work: () => Promise<T>): Promise<{ value: T; peakMiB: number; startMiB: number }> {
  const read = async () => {
    statusText = await readFile("/proc/self/status", "utf8");
  };
  let resettable = true;
  try {
    await writeFile("/proc/self/clear_refs", "5");
  } catch {
    resettable = false;
  }
  await read();
  const startKiB = statusKiB("VmRSS");
  let sampled = startKiB;
  const timer = setInterval(() => {
    void read().then(() => (sampled = Math.max(sampled, statusKiB("VmRSS"))));
  }, 20);
  try {
    const value = await work();
    await read();
    sampled = Math.max(sampled, statusKiB("VmRSS"));
    const peak = resettable ? Math.max(statusKiB("VmHWM"), sampled) : sampled;
    return { value, peakMiB: Math.round(peak / 1024), startMiB: Math.round(startKiB / 1024) };
  } finally {
    clearInterval(timer);
  }
}

/** A 4000×3000 JPEG of noise over a gradient: about the size a phone's 12 MP photo has. */
async function photo(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const raw = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const noise = (seed >> 16) & 63;
      const i = (y * width + x) * 3;
      raw[i] = ((x * 255) / width + noise) & 255;
      raw[i + 1] = ((y * 255) / height + noise) & 255;
      raw[i + 2] = (((x + y) * 127) / (width + height) + noise) & 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function video(dir: string): Promise<Buffer> {
  const out = join(dir, "bench-720p.mp4");
  await run2("ffmpeg", [
    "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
    "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", out,
  ]);
  return readFile(out);
}

/** Uploads `count` copies of `file`, `inFlight` at a time; returns images per second. */
async function uploadImages(c: Container, accountId: bigint, file: Buffer, count: number, inFlight: number): Promise<number> {
  const deps = mediaDeps(c.jobDeps);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        const r = await uploadMedia(deps, { accountId, file, delayProcessing: false });
        if (!r.ok || r.value.processing !== "complete" || !r.value.smallKey || !r.value.blurhash) throw new Error(`image upload failed: ${JSON.stringify(r)}`);
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

/** Runs the figures on SQLite and a local media store (the processing cost does not depend on the database). */
export async function run(): Promise<BenchResult> {
  const dir = tempDir("herd-bench-media-");
  const c = await buildContainer(loadConfig({ DATA_DIR: dir, LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" }), silentLogger, { role: "test", migrate: true, checks: false });
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];
  try {
    const created = await createAccount(c.jobDeps, { username: "bench_media", email: "bench_media@example.com", password: "correct horse battery", role: "user", confirmed: true, approved: true });
    if (!created.ok) throw new Error("could not create the account");
    const accountId = created.value.account.accountId;
    const [jpeg, mp4] = await Promise.all([photo(), video(dir)]);
    notes.push(`image: 4000×3000 JPEG, ${(jpeg.length / 1024 / 1024).toFixed(1)} MiB; ${IMAGES} uploads per row; original fitted within 8.3 MP, small within 640×360 px area`);
    notes.push(`video: 10 s 1280×720 30 fps H.264/AAC, ${(mp4.length / 1024 / 1024).toFixed(1)} MiB; best of ${VIDEO_RUNS}`);
    notes.push("peak RSS: whole bench process (Node, sharp/libvips, SQLite) during the row; the video row's ffmpeg child is not counted");

    // One warm-up, so libvips's loading is not counted in the first figure.
    await uploadImages(c, accountId, jpeg, 1, 1);
    for (const inFlight of [1, 2]) {
      const { value: perSecond, peakMiB, startMiB } = await peakDuring(() => uploadImages(c, accountId, jpeg, IMAGES, inFlight));
      rows.push({ work: `12 MP JPEG, ${inFlight} in flight`, "images/s": Math.round(perSecond * 100) / 100, "ms each": Math.round(1000 / perSecond), "RSS before MiB": startMiB, "peak RSS MiB": peakMiB });
    }

    const deps = mediaDeps(c.jobDeps);
    const times: number[] = [];
    const { peakMiB, startMiB } = await peakDuring(async () => {
      for (let i = 0; i < VIDEO_RUNS; i++) {
        const queued = await uploadMedia(deps, { accountId, file: mp4, delayProcessing: true });
        if (!queued.ok) throw new Error(`video upload refused: ${JSON.stringify(queued.error)}`);
        const start = performance.now();
        const done = await processQueuedMedia(deps, queued.value.id);
        times.push(performance.now() - start);
        if (done.outcome !== "complete" || done.media.type !== "video") throw new Error(`video processing failed: ${JSON.stringify(done)}`);
      }
    });
    rows.push({ work: "10 s 720p video", "video s": Math.round(Math.min(...times) / 100) / 10, "ms each": Math.round(Math.min(...times)), "RSS before MiB": startMiB, "peak RSS MiB": peakMiB });
  } finally {
    await c.close();
  }
  return { scenario: "media", rows, notes };
}
