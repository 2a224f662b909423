/** What ffprobe says about an audio or video file. */
export interface MediaStreams {
  /** ffprobe's container names, like "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  readonly formatName: string;
  /** Seconds; null when the container does not say. */
  readonly duration: number | null;
  /** Bits per second of the whole file; null when unknown. */
  readonly bitrate: number | null;
  readonly video: {
    readonly codec: string;
    readonly width: number;
    readonly height: number;
    /** ffprobe's r_frame_rate, a fraction such as "30/1". */
    readonly frameRate: string;
    readonly fps: number;
  } | null;
  readonly audio: {
    readonly codec: string;
    readonly profile: string | null;
    readonly sampleRate: number | null;
    readonly channels: number | null;
    readonly channelLayout: string | null;
  } | null;
}

/** A transcoding refused or failed: `message` is what the uploader is told. */
export interface AvProblem {
  readonly problem: "unreadable" | "timeout" | "too_large" | "failed";
  readonly message: string;
}

export interface VideoOutputOptions {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxFrameRate: number;
  /** Keep the first audio stream (false for gifv: an animation is silent). */
  readonly audio: boolean;
  /** The output may not grow past this many bytes. */
  readonly maxOutputBytes: number;
}

/** Audio and video work, done by ffmpeg in a child process so a bad file can never take the worker down. */
export interface VideoProcessor {
  /** The streams of a file; null when ffprobe cannot read it as audio or video. */
  probe(input: Buffer): Promise<MediaStreams | null>;
  /**
   * H.264 (yuv420p, even dimensions) with AAC audio in MP4, `+faststart` so playback starts before the download
   * ends, scaled within the box (never enlarged), frame rate capped, metadata removed. Also the first frame as PNG.
   */
  transcodeVideo(input: Buffer, options: VideoOutputOptions): Promise<{ data: Buffer; streams: MediaStreams; frame: Buffer } | AvProblem>;
  /** MP3 (LAME VBR quality 2, as Mastodon), metadata removed. */
  transcodeAudio(input: Buffer, options: { readonly maxOutputBytes: number }): Promise<{ data: Buffer; streams: MediaStreams } | AvProblem>;
}
