import fs from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { CLIENT_IDLE_SOCKET_MS } from '../../src/client/node-http-fetch.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import { loadConfig } from '../../src/config.ts';

/** The client keeps its connection to the server open between calls, and the server outlasts its idle time. */
describe('the client over keep-alive connections', () => {
  let server: RunningServer;
  let dataDir: string;
  let client: RunledgerClient;
  const connections: Socket[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-keepalive-'));
    server = await startServer(loadConfig({ RUNLEDGER_LOG_LEVEL: 'silent' }, { dataDir, port: 0, host: '127.0.0.1' }), {
      print: () => {},
    });
    server.app.server.on('connection', (socket: Socket) => connections.push(socket));
    client = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim() });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends 25 sequential calls, reads and writes, over one connection', async () => {
    connections.length = 0;
    await client.applyWorkflow(
      JSON.stringify({ id: 'one', name: 'One', tasks: [{ id: 'a', type: 'log', with: { message: 'hi' } }] }),
      'json',
    );
    for (let i = 0; i < 8; i++) {
      const { executionId } = await client.runWorkflow('one', {});
      await client.getExecution(executionId);
      await client.listWorkflows();
    }
    expect(connections).toHaveLength(1);
  });

  it('a server keeps an idle connection open longer than the client does', () => {
    // Otherwise the server could close a connection at the moment the client sends on it again.
    expect(server.app.server.keepAliveTimeout).toBeGreaterThan(CLIENT_IDLE_SOCKET_MS);
  });
});
