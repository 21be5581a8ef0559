import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES, isRasterImage, sniffHead, sniffMediaType } from '../../src/records/sniff-media-type.ts';

const text = (s: string) => Buffer.from(s, 'utf8');
const image = () => sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } });

describe('sniffMediaType', () => {
  it('recognises raster images by their bytes', async () => {
    expect(await sniffMediaType(await image().png().toBuffer())).toBe('image/png');
    expect(await sniffMediaType(await image().jpeg().toBuffer())).toBe('image/jpeg');
    expect(await sniffMediaType(await image().webp().toBuffer())).toBe('image/webp');
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,', 'latin1');
    expect(await sniffMediaType(gif)).toBe('image/gif');
  });

  it('recognises a PDF', async () => {
    expect(await sniffMediaType(text('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'))).toBe('application/pdf');
  });

  it('sees an SVG behind a BOM, XML declaration, comments and doctype', async () => {
    const svg =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- Generator: an editor -->\n' +
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [\n<!ENTITY a "b">\n]>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    expect(await sniffMediaType(text(svg))).toBe('image/svg+xml');
    expect(await sniffMediaType(text('  <SVG viewBox="0 0 1 1"/>'))).toBe('image/svg+xml');
  });

  it('keeps other XML as application/xml', async () => {
    expect(await sniffMediaType(text('<?xml version="1.0"?><note>hi</note>'))).toBe('application/xml');
  });

  it('recognises HTML, whatever the case', async () => {
    expect(await sniffMediaType(text('<!DOCTYPE html><html><body>x</body></html>'))).toBe('text/html');
    expect(await sniffMediaType(text('\n  <HEAD><title>x</title>'))).toBe('text/html');
    expect(await sniffMediaType(text('hello <script>alert(1)</script>'))).toBe('text/html');
    expect(await sniffMediaType(text('<html><script>alert(1)</script>'))).toBe('text/html');
  });

  it('calls UTF-8 text without markup plain text, even when cut mid-character', async () => {
    expect(await sniffMediaType(text('2024-05-01T10:00:00Z INFO deploy started\n'))).toBe('text/plain');
    const cut = text('Größe: ✓').subarray(0, -1);
    expect(await sniffMediaType(cut)).toBe('text/plain');
    expect(await sniffMediaType(text(`${'x'.repeat(2000)} <html>`))).toBe('text/plain');
  });

  it('calls anything else application/octet-stream', async () => {
    expect(await sniffMediaType(Buffer.from([0x68, 0x69, 0x00, 0x21]))).toBe('application/octet-stream');
    expect(await sniffMediaType(Buffer.from([0xc3, 0x28, 0x41, 0x42]))).toBe('application/octet-stream');
    expect(await sniffMediaType(new Uint8Array(0))).toBe('text/plain');
  });
});

describe('isRasterImage', () => {
  it('accepts only PNG, JPEG, GIF and WebP', () => {
    for (const mime of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) expect(isRasterImage(mime)).toBe(true);
    for (const mime of ['image/svg+xml', 'image/tiff', 'text/html', 'application/pdf', '']) expect(isRasterImage(mime)).toBe(false);
  });
});

describe('sniffHead', () => {
  const chunked = (bytes: Buffer, size: number) =>
    Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

  it.each([
    ['empty', 0],
    ['smaller than the window', 100],
    ['exactly the window', SNIFF_BYTES],
    ['larger than the window', 100_000],
  ])('replays the whole stream when it is %s', async (_, length) => {
    const bytes = randomBytes(length);
    const { head, stream } = await sniffHead(chunked(bytes, 1000));
    expect(head).toEqual(bytes.subarray(0, SNIFF_BYTES));
    expect(await readAll(stream)).toEqual(bytes);
  });

  it('honours a custom window and single-chunk sources', async () => {
    const bytes = randomBytes(50_000);
    const { head, stream } = await sniffHead(Readable.from([bytes]), 10);
    expect(head).toEqual(bytes.subarray(0, 10));
    expect(await readAll(stream)).toEqual(bytes);
  });

  it('passes a source error on to the replayed stream', async () => {
    async function* failing() {
      yield randomBytes(SNIFF_BYTES + 10);
      throw new Error('connection reset');
    }
    const { stream } = await sniffHead(Readable.from(failing()));
    await expect(readAll(stream)).rejects.toThrow('connection reset');
  });

  it('lets the sniffed head decide the type of a streamed upload', async () => {
    const png = await image().png().toBuffer();
    const { head, stream } = await sniffHead(chunked(png, 7));
    expect(await sniffMediaType(head)).toBe('image/png');
    expect(await readAll(stream)).toEqual(png);
  });
});
