import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ValidationError } from '../src/domain/errors.ts';

function problemOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

it('keeps evidence in <data dir>/attachments by default, with the documented limits', () => {
  expect(loadConfig({ RUNLEDGER_DATA_DIR: '/srv/runledger' }).attachments).toEqual({
    storage: { type: 'local', path: '/srv/runledger/attachments' },
    maxBytes: 25 * 1024 * 1024,
    userQuotaBytes: 5 * 1024 ** 3,
    deleteGraceDays: 7,
    urlTtlSeconds: 300,
  });
});

it('reads every attachment setting, relative storage paths from the working directory', () => {
  const config = loadConfig({
    ATTACHMENT_STORAGE_PATH: 'evidence',
    ATTACHMENT_MAX_BYTES: '1048576',
    ATTACHMENT_USER_QUOTA_BYTES: '0',
    ATTACHMENT_DELETE_GRACE_DAYS: '30',
    ATTACHMENT_URL_TTL: '90s',
  });
  expect(config.attachments).toEqual({
    storage: { type: 'local', path: path.resolve('evidence') },
    maxBytes: 1048576,
    userQuotaBytes: 0,
    deleteGraceDays: 30,
    urlTtlSeconds: 90,
  });
});

it('configures S3 with or without explicit keys', () => {
  const s3 = loadConfig({
    ATTACHMENT_STORAGE_TYPE: 's3',
    S3_BUCKET: 'evidence',
    S3_ENDPOINT: 'http://minio:9000',
    S3_ACCESS_KEY_ID: 'AKIA',
    S3_SECRET_ACCESS_KEY: 'secret',
  }).attachments.storage;
  expect(s3).toEqual({
    type: 's3',
    bucket: 'evidence',
    endpoint: 'http://minio:9000',
    region: 'us-east-1',
    accessKeyId: 'AKIA',
    secretAccessKey: 'secret',
  });
  expect(loadConfig({ ATTACHMENT_STORAGE_TYPE: 's3', S3_BUCKET: 'b', S3_REGION: 'eu-west-1' }).attachments.storage).toEqual({
    type: 's3',
    bucket: 'b',
    region: 'eu-west-1',
  });
});

it('names each bad attachment setting', () => {
  expect(problemOf({ ATTACHMENT_STORAGE_TYPE: 's3' })).toContain('S3_BUCKET: required when ATTACHMENT_STORAGE_TYPE=s3');
  expect(problemOf({ ATTACHMENT_STORAGE_TYPE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'AKIA' })).toContain(
    'S3_SECRET_ACCESS_KEY: required',
  );
  expect(problemOf({ ATTACHMENT_STORAGE_TYPE: 'ftp' })).toContain('ATTACHMENT_STORAGE_TYPE');
  expect(problemOf({ S3_ENDPOINT: 'minio:9000' })).toContain('S3_ENDPOINT');
  expect(problemOf({ ATTACHMENT_MAX_BYTES: '0' })).toContain('ATTACHMENT_MAX_BYTES');
  expect(problemOf({ ATTACHMENT_USER_QUOTA_BYTES: '-1' })).toContain('ATTACHMENT_USER_QUOTA_BYTES');
  expect(problemOf({ ATTACHMENT_URL_TTL: '2d' })).toContain('ATTACHMENT_URL_TTL: must be a duration from 1s to 1h');
  expect(problemOf({ ATTACHMENT_URL_TTL: 'soon' })).toContain('ATTACHMENT_URL_TTL');
});
