import { isRasterImage } from './sniff-media-type.ts';

/**
 * The Content-Type a download is served with. Only types no browser executes keep their sniffed type
 * (raster images, PDF, plain text); everything else — HTML, SVG, XML, scripts, archives — goes out as
 * `application/octet-stream`, so even a browser that ignored Content-Disposition would not render it.
 */
export function servedContentType(mediaType: string): string {
  if (isRasterImage(mediaType) || mediaType === 'application/pdf') return mediaType;
  // Sniffing says text/plain only for bytes that decode as UTF-8.
  if (mediaType === 'text/plain') return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
