import type { BlobStorage } from './blob-storage.ts';
import { LocalBlobStorage } from './local-blob-storage.ts';
import { S3BlobStorage } from './s3-blob-storage.ts';

/** The `storage` section of the server configuration. */
export type BlobStorageConfig =
  | { type: 'local'; path: string }
  | { type: 's3'; bucket: string; endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string };

/** The configured backend. A separate file so that blob-storage.ts stays free of backend imports. */
export function createBlobStorage(config: BlobStorageConfig): BlobStorage {
  switch (config.type) {
    case 'local':
      return new LocalBlobStorage(config.path);
    case 's3': {
      const { type: _type, ...options } = config;
      return new S3BlobStorage(options);
    }
  }
}
