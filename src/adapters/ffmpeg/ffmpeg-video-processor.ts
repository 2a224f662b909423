import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AvProblem, MediaStreams, VideoOutputOptions, VideoProcessor } from "../../ports/video.ts";

export interface FfmpegOptions {
  /** The ffmpeg executable (FFMPEG_BINARY); ffprobe is looked for beside it. */
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** Longest a single ffmpeg run may take before it is killed. */
  readonly timeoutMs: number;
  /** Threads per run: the worker shares its cores with the web process. */
  readonly threads?: number;
}

interface RunResult {
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

const MAX_CAPTURE = 256 * 1024;

/**
 * Demuxers an input may be read with (the containers Mastodon accepts, and GIF for gifv). Without a whitelist
 * ffmpeg guesses the format from the bytes: an ID3 tag followed by `#EXTM3U` is an HLS playlist, which opens
 * the files it lists (others' uploads, /etc/…). Matched against each demuxer's names, so `mov` admits
 * mov,mp4,m4a,3gp,3g2,mj2 and `matroska` admits matroska,webm.
 */
const FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,matroska,webm,ogg,flac,wav,mp3,aac,asf,gif";

/** Goes before every `-i`: only the local file itself, read with one of the whitelisted demuxers. */
const INPUT_GUARD = ["-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST] as const;

/** Runs a program with a deadline; output is captured up to a bound, so a chatty failure cannot grow memory. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => void (stdout.length < MAX_CAPTURE && (stdout += d.toString("utf8"))));
    child.stderr.on("data", (d: Buffer) => void (stderr.length < MAX_CAPTURE && (stderr += d.toString("utf8"))));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stdout, stderr });
    });
  });
}

function fraction(rate: string | undefined): number {
  if (!rate) return 0;
  const [n, d] = rate.split("/").map(Number);
  const fps = d ? n / d : n;
  return Number.isFinite(fps) ? fps : 0;
}

const num = (v: unknown): number | null => {
  const n = typeof v === "string" ? Number.parseFloat(v) : typeof v === "number" ? v : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

function parseProbe(json: string): MediaStreams | null {
  let data: any;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  const streams: any[] = Array.isArray(data?.streams) ? data.streams : [];
  // Cover art in an audio file is a video stream marked attached_pic: not a video.
  const v = streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === "audio");
  if (!v && !a) return null;
  return {
    formatName: String(data?.format?.format_name ?? ""),
    duration: num(data?.format?.duration) ?? num(v?.duration) ?? num(a?.duration),
    bitrate: num(data?.format?.bit_rate),
    video: v
      ? { codec: String(v.codec_name ?? ""), width: Number(v.width) || 0, height: Number(v.height) || 0, frameRate: String(v.r_frame_rate ?? "0/1"), fps: fraction(v.avg_frame_rate !== "0/0" ? v.avg_frame_rate : v.r_frame_rate) }
      : null,
    audio: a
      ? { codec: String(a.codec_name ?? ""), profile: a.profile ? String(a.profile) : null, sampleRate: num(a.sample_rate), channels: num(a.channels), channelLayout: a.channel_layout ? String(a.channel_layout) : null }
      : null,
  };
}

/** VideoProcessor over the ffmpeg and ffprobe executables, working in a private temporary directory per call. */
export class FfmpegVideoProcessor implements VideoProcessor {
  #options: FfmpegOptions;
  constructor(options: FfmpegOptions) {
    this.#options = options;
  }

  async #withFiles<T>(input: Buffer, work: (dir: string, inputPath: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), "herd-media-"));
    try {
      const inputPath = join(dir, "input");
      await writeFile(inputPath, input);
      return await work(dir, inputPath);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #probePath(path: string): Promise<MediaStreams | null> {
    const r = await run(this.#options.ffprobe, ["-v", "error", ...INPUT_GUARD, "-print_format", "json", "-show_format", "-show_streams", path], Math.min(this.#options.timeoutMs, 60_000));
    return r.code === 0 ? parseProbe(r.stdout) : null;
  }

  probe(input: Buffer): Promise<MediaStreams | null> {
    return this.#withFiles(input, (_dir, path) => this.#probePath(path));
  }

  async #transcode(args: readonly string[], output: string, maxOutputBytes: number): Promise<AvProblem | null> {
    const threads = String(this.#options.threads ?? 2);
    const r = await run(this.#options.ffmpeg, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-threads", threads, ...args, "-fs", String(maxOutputBytes), output], this.#options.timeoutMs);
    if (r.timedOut) return { problem: "timeout", message: "Processing took too long" };
    if (r.code !== 0) return { problem: "failed", message: "The file could not be converted" };
    const size = (await stat(output).catch(() => null))?.size ?? 0;
    if (size === 0) return { problem: "failed", message: "The file could not be converted" };
    // -fs stops writing at the limit: a file that reached it was cut short.
    if (size >= maxOutputBytes) return { problem: "too_large", message: "The converted file is too large" };
    return null;
  }

  transcodeVideo(input: Buffer, o: VideoOutputOptions): Promise<{ data: Buffer; streams: MediaStreams; frame: Buffer } | AvProblem> {
    return this.#withFiles(input, async (dir, inputPath) => {
      const source = await this.#probePath(inputPath);
      if (!source?.video) return { problem: "unreadable", message: "The file is not a video ffmpeg can read" };
      const output = join(dir, "output.mp4");
      const scale = `scale=w='min(${o.maxWidth},iw)':h='min(${o.maxHeight},ih)':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2`;
      const audio = o.audio && source.audio ? ["-map", "0:a:0", "-c:a", "aac", "-b:a", "128k"] : ["-an"];
      const problem = await this.#transcode(
        [
          ...INPUT_GUARD, "-i", inputPath, "-map", "0:v:0", ...audio, "-map_metadata", "-1", "-sn", "-dn",
          "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-vf", scale,
          "-fpsmax", String(o.maxFrameRate), "-movflags", "+faststart", "-f", "mp4",
        ],
        output,
        o.maxOutputBytes,
      );
      if (problem) return problem;
      const streams = await this.#probePath(output);
      if (!streams?.video) return { problem: "failed", message: "The file could not be converted" };
      const framePath = join(dir, "frame.png");
      const frame = await run(this.#options.ffmpeg, ["-nostdin", "-loglevel", "error", "-y", ...INPUT_GUARD, "-i", output, "-frames:v", "1", "-f", "image2", "-c:v", "png", framePath], this.#options.timeoutMs);
      if (frame.timedOut || frame.code !== 0) return { problem: "failed", message: "No frame could be extracted for the preview" };
      return { data: await readFile(output), streams, frame: await readFile(framePath) };
    });
  }

  transcodeAudio(input: Buffer, o: { readonly maxOutputBytes: number }): Promise<{ data: Buffer; streams: MediaStreams } | AvProblem> {
    return this.#withFiles(input, async (dir, inputPath) => {
      const source = await this.#probePath(inputPath);
      if (!source?.audio) return { problem: "unreadable", message: "The file is not audio ffmpeg can read" };
      const output = join(dir, "output.mp3");
      const problem = await this.#transcode([...INPUT_GUARD, "-i", inputPath, "-map", "0:a:0", "-vn", "-map_metadata", "-1", "-c:a", "libmp3lame", "-q:a", "2", "-f", "mp3"], output, o.maxOutputBytes);
      if (problem) return problem;
      const streams = await this.#probePath(output);
      if (!streams?.audio) return { problem: "failed", message: "The file could not be converted" };
      return { data: await readFile(output), streams };
    });
  }
}
