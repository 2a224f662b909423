import type { ImageProblem, ImageProcessor, ProcessedImage } from "../../ports/images.ts";

/** About 33 megapixels (an 8K frame): bigger inputs are refused before decoding, against decompression bombs. */
const MAX_INPUT_PIXELS = 7680 * 4320;

type Sharp = typeof import("sharp").default;
let sharpModule: Promise<Sharp> | null = null;

/** sharp loads libvips (tens of MiB); a process that never receives an upload never pays for it. */
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import("sharp").then((m) => m.default);
  return sharpModule;
}

const OUTPUTS: Record<string, { extension: string; contentType: string }> = {
  jpeg: { extension: "jpg", contentType: "image/jpeg" },
  png: { extension: "png", contentType: "image/png" },
  webp: { extension: "webp", contentType: "image/webp" },
};

/** ImageProcessor over sharp (libvips). */
export class SharpImageProcessor implements ImageProcessor {
  async cover(input: Buffer, width: number, height: number): Promise<ProcessedImage | { problem: ImageProblem }> {
    const sharp = await loadSharp();
    let format: string | undefined;
    try {
      const meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
      format = meta.format;
      if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_INPUT_PIXELS) return { problem: "too_large" };
    } catch (error) {
      return { problem: /pixel limit/i.test(String(error)) ? "too_large" : "unreadable" };
    }
    if (!format || !["jpeg", "png", "webp", "gif"].includes(format)) return { problem: "unsupported" };
    // GIFs become static PNGs: profile pictures are shown small, and one static file serves avatar and avatar_static.
    const out = format === "gif" ? "png" : format;
    try {
      let pipeline = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, animated: false })
        .rotate()
        .resize(width, height, { fit: "cover", position: "centre" });
      pipeline = out === "jpeg" ? pipeline.jpeg({ quality: 85, mozjpeg: true }) : out === "webp" ? pipeline.webp({ quality: 85 }) : pipeline.png();
      // sharp drops all metadata unless asked to keep it (withMetadata/keepExif): nothing of the upload's EXIF survives.
      const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, ...OUTPUTS[out] };
    } catch {
      return { problem: "unreadable" };
    }
  }
}
