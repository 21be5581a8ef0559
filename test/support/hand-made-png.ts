import zlib from 'node:zlib';

/** A PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A greyscale PNG built by hand whose header may lie: pixel data for only four rows, whatever the declared
 * height. With 14000×14000 that is a decompression bomb (196 MP, ~196 MB decoded) in a few hundred bytes.
 */
export function handMadePng(width: number, height: number, bitDepth = 8): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([bitDepth, 0, 0, 0, 0], 8); // greyscale, deflate, adaptive filtering, no interlace
  const rows = zlib.deflateSync(Buffer.alloc(4 * (width + 1))); // four rows: filter byte + zero pixels each
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}
