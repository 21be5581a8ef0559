import type { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import sharp from 'sharp';
import { SNIFF_BYTES, isRasterImage, sniffMediaType } from './sniff-media-type.ts';

/**
 * 40 MP: above any phone photo or 8K screenshot, far below what a decompression bomb declares. Set
 * explicitly rather than relying on sharp's default (268 MP), which would let one upload claim gigabytes.
 */
const DEFAULT_MAX_INPUT_PIXELS = 40_000_000;
const DEFAULT_SIZE = 320;
const WEBP_QUALITY = 75;

/**
 * A thumbnail was not made. Not a user-facing RunledgerError: the attachment itself is kept and simply
 * shown without a preview; `reason` says why, for logs.
 */
export class ThumbnailRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`Thumbnail refused: ${reason}`);
    this.name = 'ThumbnailRefusedError';
  }
}

export interface ThumbnailOptions {
  /** Largest width × height decoded; larger images are refused before any pixel is decoded. */
  maxInputPixels?: number;
  /** The thumbnail fits inside size × size, and is never enlarged. */
  size?: number;
}

/**
 * Makes a small WebP preview of an uploaded raster image. Only PNG, JPEG, GIF and WebP are ever handed to
 * sharp, and only when the bytes themselves are that format: SVG (script, external references), PDF and
 * the rest of libvips' loaders are attack surface we do not need for a preview. EXIF orientation is
 * applied, and the output carries no metadata (sharp drops it by default), so GPS tags do not leak.
 */
export async function makeThumbnail(
  input: Readable | Buffer,
  mime: string,
  options: ThumbnailOptions = {},
): Promise<{ data: Buffer; mime: 'image/webp' }> {
  if (!isRasterImage(mime)) throw new ThumbnailRefusedError(`${mime} is not a raster image format`);
  const maxPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const size = options.size ?? DEFAULT_SIZE;
  // sharp buffers a streamed input whole anyway; reading it first lets the header be checked and sniffed.
  const bytes = Buffer.isBuffer(input) ? input : await readAll(input);
  const actual = await sniffMediaType(bytes.subarray(0, SNIFF_BYTES));
  if (actual !== mime) throw new ThumbnailRefusedError(`content is ${actual}, not ${mime}`);
  const sharpOptions = { limitInputPixels: maxPixels, failOn: 'error' } as const;
  try {
    // sharp 0.35 already applies limitInputPixels here, from the header; the explicit check keeps the
    // guarantee (refuse a decompression bomb before any pixel is decoded) should a sharp release not.
    const { width, height } = await sharp(bytes, sharpOptions).metadata();
    if (width * height > maxPixels) throw pixelLimitRefusal(width, height, maxPixels);
    const data = await sharp(bytes, sharpOptions)
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: WEBP_QUALITY })
      .toBuffer();
    return { data, mime: 'image/webp' };
  } catch (e: unknown) {
    throw toRefusal(e, maxPixels);
  }
}

function pixelLimitRefusal(width: number, height: number, maxPixels: number): ThumbnailRefusedError {
  return new ThumbnailRefusedError(`image is ${width}×${height}, over the pixel limit of ${maxPixels} pixels`);
}

function toRefusal(e: unknown, maxPixels: number): ThumbnailRefusedError {
  if (e instanceof ThumbnailRefusedError) return e;
  const error = e instanceof Error ? e : new Error(String(e));
  // sharp's wording: "Input image exceeds pixel limit".
  if (/pixel limit/i.test(error.message)) {
    return new ThumbnailRefusedError(`image exceeds the pixel limit of ${maxPixels} pixels`);
  }
  return new ThumbnailRefusedError(`image could not be decoded: ${error.message}`);
}
