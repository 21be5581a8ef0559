import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isRasterImage, sniffMediaType } from '../../src/records/sniff-media-type.ts';
import { ThumbnailRefusedError, makeThumbnail } from '../../src/records/thumbnail.ts';
import { handMadePng } from '../support/hand-made-png.ts';

const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#336699' } });
const noise = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });

function expectWebp(data: Buffer): void {
  expect(data.subarray(0, 4).toString('latin1')).toBe('RIFF');
  expect(data.subarray(8, 12).toString('latin1')).toBe('WEBP');
}

async function refusal(promise: Promise<unknown>): Promise<ThumbnailRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ThumbnailRefusedError);
  return error as ThumbnailRefusedError;
}

describe('makeThumbnail', () => {
  it('turns a PNG into a WebP that fits in 320×320', async () => {
    const png = await solid(800, 600).png().toBuffer();
    const thumbnail = await makeThumbnail(png, 'image/png');
    expect(thumbnail.mime).toBe('image/webp');
    expectWebp(thumbnail.data);
    const { format, width, height } = await sharp(thumbnail.data).metadata();
    expect({ format, width, height }).toEqual({ format: 'webp', width: 320, height: 240 });
  });

  it('reads a JPEG from a stream', async () => {
    const jpeg = await noise(1000, 2000).jpeg().toBuffer();
    const thumbnail = await makeThumbnail(Readable.from([jpeg.subarray(0, 1000), jpeg.subarray(1000)]), 'image/jpeg');
    expectWebp(thumbnail.data);
    const { width, height } = await sharp(thumbnail.data).metadata();
    expect({ width, height }).toEqual({ width: 160, height: 320 });
  });

  it('applies EXIF orientation and drops the metadata', async () => {
    const jpeg = await solid(600, 300).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const { data } = await makeThumbnail(jpeg, 'image/jpeg');
    const { width, height, orientation, exif } = await sharp(data).metadata();
    expect({ width, height, orientation, exif }).toEqual({ width: 160, height: 320, orientation: undefined, exif: undefined });
  });

  it('never enlarges a small image', async () => {
    const { data } = await makeThumbnail(await solid(40, 30).webp().toBuffer(), 'image/webp');
    const { width, height } = await sharp(data).metadata();
    expect({ width, height }).toEqual({ width: 40, height: 30 });
  });

  it('refuses SVG without reading the input, so sharp never sees it', async () => {
    const untouchable = new Readable({
      read() {
        this.destroy(new Error('the input was read'));
      },
    });
    const error = await refusal(makeThumbnail(untouchable, 'image/svg+xml'));
    expect(error.reason).toBe('image/svg+xml is not a raster image format');
    expect(error.message).toBe('Thumbnail refused: image/svg+xml is not a raster image format');
  });

  it('refuses bytes that are not the claimed raster format', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    expect((await refusal(makeThumbnail(svg, 'image/png'))).reason).toBe('content is image/svg+xml, not image/png');
    const jpeg = await solid(10, 10).jpeg().toBuffer();
    expect((await refusal(makeThumbnail(jpeg, 'image/png'))).reason).toBe('content is image/jpeg, not image/png');
  });

  it('refuses a pixel bomb from its header, quickly', async () => {
    const bomb = handMadePng(14_000, 14_000);
    expect(bomb.length).toBeLessThan(10 * 1024);
    expect(await sniffMediaType(bomb)).toBe('image/png');
    const started = performance.now();
    const error = await refusal(makeThumbnail(bomb, 'image/png'));
    expect(error.reason).toMatch(/pixel limit of 40000000 pixels/);
    expect(performance.now() - started).toBeLessThan(10_000); // generous: only guards against decoding it
  });

  it('honours a lower pixel cap', async () => {
    const png = await solid(800, 600).png().toBuffer();
    const error = await refusal(makeThumbnail(png, 'image/png', { maxInputPixels: 100_000 }));
    expect(error.reason).toMatch(/pixel limit of 100000 pixels/);
  });

  it('refuses a truncated PNG', async () => {
    const png = await noise(400, 300).png().toBuffer();
    const error = await refusal(makeThumbnail(png.subarray(0, png.length / 2), 'image/png'));
    expect(error.reason).toMatch(/^image could not be decoded: /);
  });

  it('refuses a PNG with an impossible header', async () => {
    const corrupt = handMadePng(16, 16, 3); // no colour type has 3-bit samples
    expect(await sniffMediaType(corrupt)).toBe('image/png');
    const error = await refusal(makeThumbnail(corrupt, 'image/png'));
    expect(error.reason).toMatch(/^image could not be decoded: /);
  });

  it('treats HTML named .png as HTML, not as an image', async () => {
    const html = Buffer.from('<html><script>alert(1)</script>');
    const sniffed = await sniffMediaType(html);
    expect(sniffed).toBe('text/html');
    expect(isRasterImage(sniffed)).toBe(false);
    expect((await refusal(makeThumbnail(html, 'image/png'))).reason).toBe('content is text/html, not image/png');
  });
});
