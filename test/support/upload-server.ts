import { okApiCaller, runledgerEnv, type Processes, type ServerProcess } from './processes.ts';

const MiB = 1024 * 1024;

/** A server process for the upload-memory tests, and requests to it that throw on an error answer. */
export interface UploadServer extends ServerProcess {
  call: ReturnType<typeof okApiCaller>;
}

/**
 * Starts `runledger serve` on `dataDir` for the 200 MB upload tests: files up to 256 MiB, no
 * per-user quota; it must listen within 30 s.
 */
export async function startUploadServer(processes: Processes, dataDir: string): Promise<UploadServer> {
  const server = await processes.startServer(
    runledgerEnv(dataDir, { ATTACHMENT_MAX_BYTES: String(256 * MiB), ATTACHMENT_USER_QUOTA_BYTES: '0' }),
    { timeoutMs: 30_000 },
  );
  return { ...server, call: okApiCaller(server.url, server.token) };
}
