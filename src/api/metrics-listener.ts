import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunledgerMetrics } from '../observe/metrics.ts';

export interface MetricsListener {
  /** `http://host:port`, the port the listener got (0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on an address of its own (RUNLEDGER_METRICS_PORT), without a token: what can reach
 * that address is the protection, as with a Prometheus exporter on a private interface. The only way
 * to scrape a `runledger worker`, which serves no API.
 */
export async function startMetricsListener(metrics: RunledgerMetrics, host: string, port: number): Promise<MetricsListener> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
