import { crc32, deflateSync } from "node:zlib";
import type { RouteModule } from "./client-api.ts";
import { MISSING_AVATAR_PATH, MISSING_HEADER_PATH } from "./mastodon/serializers/account.ts";

type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [0xd9, 0xe1, 0xe8];
const FIGURE: Rgb = [0x9b, 0xae, 0xc8];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A truecolour PNG drawn by `pixel(x, y)`: small enough to write by hand, so no image library is loaded for it. */
export function drawPng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const at = y * stride + 1 + x * 3;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A head-and-shoulders silhouette on a plain background, 400×400 like processed avatars. */
function avatarPixel(x: number, y: number): Rgb {
  const head = (x - 200) ** 2 + (y - 165) ** 2 <= 78 ** 2;
  const body = ((x - 200) / 150) ** 2 + ((y - 410) / 150) ** 2 <= 1;
  return head || body ? FIGURE : BACKGROUND;
}

let avatar: Buffer | null = null;
let header: Buffer | null = null;

/**
 * Serves the pictures accounts without their own point to (Mastodon's `/avatars/original/missing.png` and
 * `/headers/original/missing.png`), drawn once on first request and kept (a few kilobytes).
 */
export const mountDefaultImages: RouteModule = (app) => {
  const serve = (png: () => Buffer) => () =>
    new Response(new Uint8Array(png()), {
      headers: { "Content-Type": "image/png", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" },
    });
  app.get(MISSING_AVATAR_PATH, serve(() => (avatar ??= drawPng(400, 400, avatarPixel))));
  app.get(MISSING_HEADER_PATH, serve(() => (header ??= drawPng(1500, 500, () => BACKGROUND))));
};
