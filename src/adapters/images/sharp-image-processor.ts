import type { AttachmentImages, ImageInfo, ImageProblem, ImageProcessor, ProcessedImage } from "../../ports/images.ts";

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
      pipeline = out === "jpeg" ? pipeline.jpeg({ quality: 85 }) : out === "webp" ? pipeline.webp({ quality: 85 }) : pipeline.png();
      // sharp drops all metadata unless asked to keep it (withMetadata/keepExif): nothing of the upload's EXIF survives.
      const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, ...OUTPUTS[out] };
    } catch {
      return { problem: "unreadable" };
    }
  }

  async fitWithStill(input: Buffer, maxSide: number): Promise<{ image: ProcessedImage; still: ProcessedImage } | { problem: ImageProblem }> {
    const sharp = await loadSharp();
    let format: string | undefined;
    try {
      const meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
      format = meta.format;
      if ((meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0) > MAX_INPUT_PIXELS) return { problem: "too_large" };
    } catch (error) {
      return { problem: /pixel limit/i.test(String(error)) ? "too_large" : "unreadable" };
    }
    if (!format || !["png", "gif", "webp"].includes(format)) return { problem: "unsupported" };
    try {
      const fit = { width: maxSide, height: maxSide, fit: "inside" as const, withoutEnlargement: true };
      const animated = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, animated: true }).resize(fit);
      const encoded = format === "gif" ? animated.gif() : format === "webp" ? animated.webp({ quality: 90 }) : animated.png();
      const image = await encoded.toBuffer({ resolveWithObject: true });
      const still = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, animated: false }).resize(fit).png().toBuffer({ resolveWithObject: true });
      const own = format === "gif" ? { extension: "gif", contentType: "image/gif" } : OUTPUTS[format];
      return {
        image: { data: image.data, width: image.info.width, height: image.info.pageHeight ?? image.info.height, ...own },
        still: { data: still.data, width: still.info.width, height: still.info.height, ...OUTPUTS.png },
      };
    } catch {
      return { problem: "unreadable" };
    }
  }

  async inspect(input: Buffer): Promise<ImageInfo | null> {
    const sharp = await loadSharp();
    try {
      // metadata() reads the header only: a 30,000×30,000 PNG is measured without allocating its pixels.
      const meta = await sharp(input, { limitInputPixels: false }).metadata();
      if (!meta.format || !meta.width || !meta.height) return null;
      return { format: meta.format, width: meta.width, height: meta.pageHeight ?? meta.height, pages: meta.pages ?? 1 };
    } catch {
      return null;
    }
  }

  async attachmentImages(input: Buffer, limits: { originalPixels: number; smallPixels: number; maxInputPixels: number }): Promise<AttachmentImages | { problem: ImageProblem }> {
    const sharp = await loadSharp();
    const info = await this.inspect(input);
    if (!info) return { problem: "unreadable" };
    if (info.width * info.height > limits.maxInputPixels) return { problem: "too_large" };
    const out = info.format === "jpeg" || info.format === "png" || info.format === "webp" ? info.format : info.format === "gif" ? "png" : "jpeg";
    try {
      const original = await encodeWithin(sharp, input, info, limits.originalPixels, limits.maxInputPixels, out);
      const small = await encodeWithin(sharp, input, info, limits.smallPixels, limits.maxInputPixels, out);
      return { original, small, blurhash: await blurhashOf(sharp, small.data) };
    } catch {
      return { problem: "unreadable" };
    }
  }

  async preview(input: Buffer, limits: { smallPixels: number; maxInputPixels: number }): Promise<{ small: ProcessedImage; blurhash: string | null } | { problem: ImageProblem }> {
    const sharp = await loadSharp();
    const info = await this.inspect(input);
    if (!info) return { problem: "unreadable" };
    if (info.width * info.height > limits.maxInputPixels) return { problem: "too_large" };
    if (!["jpeg", "png", "webp", "gif"].includes(info.format)) return { problem: "unsupported" };
    const out = info.format === "jpeg" || info.format === "webp" ? info.format : "png";
    try {
      const small = await encodeWithin(sharp, input, info, limits.smallPixels, limits.maxInputPixels, out);
      return { small, blurhash: await blurhashOf(sharp, small.data) };
    } catch {
      return { problem: "unreadable" };
    }
  }
}

/**
 * Decodes the first frame, turns it upright (EXIF orientation) and re-encodes it within `maxPixels`, never
 * enlarged. sharp writes no metadata unless asked (withMetadata/keepExif), so EXIF, GPS, XMP and comments go.
 */
async function encodeWithin(sharp: Sharp, input: Buffer, info: ImageInfo, maxPixels: number, maxInputPixels: number, format: string): Promise<ProcessedImage> {
  const meta = await sharp(input, { limitInputPixels: maxInputPixels }).metadata();
  // Orientations 5-8 turn the picture a quarter: the upright size has width and height swapped.
  const turned = (meta.orientation ?? 1) >= 5;
  const w = turned ? info.height : info.width;
  const h = turned ? info.width : info.height;
  const scale = w * h > maxPixels ? Math.sqrt(maxPixels / (w * h)) : 1;
  let pipeline = sharp(input, { limitInputPixels: maxInputPixels, animated: false }).rotate();
  if (scale < 1) pipeline = pipeline.resize(Math.max(1, Math.floor(w * scale)), Math.max(1, Math.floor(h * scale)), { fit: "fill" });
  // libjpeg-turbo, not mozjpeg: mozjpeg's smaller files cost ten times the CPU (3.5 s against 0.3 s for a
  // 12-megapixel photo on the reference machine), which a small server cannot spare for every upload.
  pipeline = format === "jpeg" ? pipeline.jpeg({ quality: 90 }) : format === "webp" ? pipeline.webp({ quality: 90 }) : pipeline.png();
  const encoded = await pipeline.toBuffer({ resolveWithObject: true });
  return { data: encoded.data, width: encoded.info.width, height: encoded.info.height, ...OUTPUTS[format] };
}

/** Mastodon's blurhash (4×4 components), computed on a tiny copy: the cost does not grow with the picture. */
async function blurhashOf(sharp: Sharp, image: Buffer): Promise<string | null> {
  try {
    const { encode } = await import("blurhash");
    const { data, info } = await sharp(image, { limitInputPixels: false })
      .resize(32, 32, { fit: "inside" })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return encode(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, 4, 4);
  } catch {
    return null;
  }
}
