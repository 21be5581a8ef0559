import { createHash, createHmac } from 'node:crypto';

/**
 * Checks a pre-signed S3 GET URL the way S3 does (AWS Signature Version 4, query-string form), for
 * tests: the S3-protocol server the tests run does not check signatures, so a URL's scope (which
 * object, which response headers, how long) is proven here against the documented algorithm.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
export function presignedUrlVerifies(url: string, credentials: { accessKeyId: string; secretAccessKey: string }): boolean {
  const u = new URL(url);
  const params = [...u.searchParams.entries()];
  const signature = u.searchParams.get('X-Amz-Signature');
  const amzDate = u.searchParams.get('X-Amz-Date');
  const credential = u.searchParams.get('X-Amz-Credential');
  if (!signature || !amzDate || !credential) return false;
  const [accessKeyId, date, region, service, terminal] = credential.split('/');
  if (accessKeyId !== credentials.accessKeyId || terminal !== 'aws4_request' || !date || !region || !service) return false;
  const canonicalQuery = params
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signedHeaders = u.searchParams.get('X-Amz-SignedHeaders') ?? 'host';
  if (signedHeaders !== 'host') return false; // what our pre-signer signs; anything else is not ours
  const canonicalRequest = ['GET', u.pathname, canonicalQuery, `host:${u.host}\n`, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex') === signature;
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}
