import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";

const run = promisify(execFile);

/** A JPEG that says it was taken at the Eiffel tower, turned a quarter by its EXIF orientation (stored 80×60, upright 60×80). */
export async function jpegWithGps(width = 80, height = 60): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: "HerdCam", Model: "Fixture" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 24/1", GPSLongitudeRef: "E", GPSLongitude: "2/1 17/1 40/1" },
    } as any)
    .toBuffer();
}

/** A solid image in `format` (static). */
export function solidImage(format: "png" | "webp" | "gif" | "jpeg", width: number, height: number): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 4, background: { r: 20, g: 120, b: 200, alpha: 1 } } });
  return (format === "png" ? img.png() : format === "webp" ? img.webp() : format === "gif" ? img.gif() : img.jpeg()).toBuffer();
}

/**
 * A decompression bomb: a valid PNG header announcing `side`×`side` pixels (30,000² is 900 megapixels, 2.7 GB
 * decoded) over a tiny compressed body. Refusing it must not decode anything.
 */
export function pngBomb(side = 30_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  // A few rows of zeros; a real bomb compresses all of them, but the header alone must be enough to refuse it.
  const rows = deflateSync(Buffer.alloc((side + 1) * 4));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", rows), chunk("IEND", Buffer.alloc(0))]);
}

async function ffmpegFixture(extension: string, args: readonly string[]): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "herd-fixture-"));
  try {
    const out = join(dir, `out.${extension}`);
    await run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", ...args, out]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An animated GIF (ffmpeg's test pattern): Mastodon turns it into a gifv. */
export function animatedGif(width = 160, height = 120, seconds = 1): Promise<Buffer> {
  return ffmpegFixture("gif", ["-f", "lavfi", "-i", `testsrc=size=${width}x${height}:rate=10`, "-t", String(seconds)]);
}

/** A short video with a 440 Hz tone, in `container` (webm is not H.264, so it must be transcoded). */
export function testVideo(options: { width?: number; height?: number; rate?: number; seconds?: number; audio?: boolean; container?: "mp4" | "webm" } = {}): Promise<Buffer> {
  const { width = 320, height = 240, rate = 25, seconds = 1, audio = true, container = "mp4" } = options;
  const input = ["-f", "lavfi", "-i", `testsrc=size=${width}x${height}:rate=${rate}`];
  if (audio) input.push("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100");
  const codecs = container === "webm" ? ["-c:v", "libvpx", "-b:v", "200k", ...(audio ? ["-c:a", "libvorbis"] : [])] : ["-c:v", "libx264", "-preset", "ultrafast", ...(audio ? ["-c:a", "aac"] : [])];
  return ffmpegFixture(container, [...input, "-t", String(seconds), ...codecs, ...(audio ? ["-shortest"] : [])]);
}

/** A second of tone as WAV (Mastodon converts audio to MP3). */
export function testAudio(seconds = 1): Promise<Buffer> {
  return ffmpegFixture("wav", ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", String(seconds), "-ac", "2"]);
}

/** Bytes that start like an MP4 (so sniffing takes them for video) and then are garbage: ffmpeg must refuse them. */
export function corruptVideo(): Buffer {
  const head = Buffer.from([0, 0, 0, 0x18, ...Buffer.from("ftypisom"), 0, 0, 2, 0, ...Buffer.from("isomiso2")]);
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) % 251;
  return Buffer.concat([head, junk]);
}

/** Bytes that start like a JPEG and then are not one. */
export function corruptJpeg(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("this is not really a jpeg at all, only its first bytes")]);
}

/** A multipart form for an upload. */
export function uploadForm(fields: Record<string, string | { data: Buffer; name: string; type?: string }>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "string") form.append(k, v);
    else form.append(k, new Blob([new Uint8Array(v.data)], { type: v.type ?? "application/octet-stream" }), v.name);
  }
  return form;
}
