import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { BrowserSessions } from '../auth/browser-sessions.ts';
import { NestingTooDeepError } from '../domain/errors.ts';
import { jsonNestsDeeperThan, MAX_NESTING_DEPTH } from '../domain/nesting-depth.ts';
import { DeferredAuditWrites } from '../observe/deferred-audit.ts';
import { registerAuthentication } from './access-hook.ts';
import { DEFAULT_WEB_ROOT, registerWebUi } from './web-ui.ts';
import type { AppServices } from './app-services.ts';
import { errorHandler, sendProblem } from './problem.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { logRoutes } from './routes/log-routes.ts';
import { retentionRoutes } from './routes/retention-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { executionRoutes } from './routes/execution-routes.ts';
import { recordRoutes } from './routes/record-routes.ts';
import { attachmentRoutes } from './routes/attachment-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { createMetrics, type RunledgerMetrics } from '../observe/metrics.ts';
import { triggerRoutes } from './routes/trigger-routes.ts';
import { workflowRoutes } from './routes/workflow-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Audit events written after the answer (see DeferredAuditWrites). */
    deferredAudit: DeferredAuditWrites;
    /** This process's metrics: `/metrics` here, and on RUNLEDGER_METRICS_PORT when set. */
    metrics: RunledgerMetrics;
  }
}

export interface AppOptions {
  bodyLimitBytes: number;
  /** How long a browser session lasts after sign-in (default 12 h). */
  sessionTtlMs?: number;
  /** Trust `X-Forwarded-*` from a reverse proxy: then a session cookie over a TLS proxy is `Secure`. */
  trustProxy?: boolean;
  /** The built web UI (`web/dist`); null serves none. Default: the one next to the sources. */
  webRoot?: string | null;
  logger?: FastifyServerOptions['logger'];
  version?: string;
  /** The bearer token a Prometheus scraper sends to `GET /metrics` (admins' tokens work too). */
  metricsToken?: string | undefined;
}

const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/**
 * The server's own log names each request by method and path only: a query string holds what people
 * search for (`input.password=…`, a keyword), and the log is read by more people than the record.
 */
function withoutQueryStrings(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false || logger === undefined) return logger;
  if (logger !== true && typeof logger !== 'object') return logger;
  return {
    ...(logger === true ? {} : logger),
    serializers: {
      ...(logger === true ? {} : (logger as { serializers?: Record<string, unknown> }).serializers),
      req: (req: { method: string; url: string; id?: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
    },
  };
}

/**
 * JSON bodies are measured before they are parsed: a body nested deeper than `MAX_NESTING_DEPTH`
 * is refused (400 `NESTING_TOO_DEEP`), since everything after the parser (validation, masking, the
 * store) walks it recursively. Otherwise Fastify's own parser (prototype-poisoning checks) reads it.
 */
function registerJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // An empty body sent as JSON is no body, as if no content type were given: a route whose fields
    // are all optional (POST /workflows/:id/run) then takes it as `{}`, the others say what is missing.
    if (text === '') {
      done(null, undefined);
      return;
    }
    if (jsonNestsDeeperThan(text)) {
      done(
        new NestingTooDeepError(`The JSON body nests deeper than ${MAX_NESTING_DEPTH} levels`, { maxDepth: MAX_NESTING_DEPTH }),
        undefined,
      );
      return;
    }
    void parseJson(request, text, done);
  });
}

/**
 * A task run is a task run in every URL: `/v1/executions/:id/tasks/:taskRunId…`. The paths that
 * once called it a step (`…/steps/:taskRunId`, `…/steps/:taskRunId/complete`, `…/attachments`)
 * still answer, as aliases; `POST /v1/executions/:id/steps` (a person adds a step) is not one of them.
 */
export function taskRunAlias(url: string): string {
  return url.replace(/^\/v1\/executions\/([^/?#]+)\/steps\/(?=[^/?#])/, '/v1/executions/$1/tasks/');
}

/** The HTTP API. Only api/server.ts listens; tests call `app.inject()` on this. */
export async function buildApp(services: AppServices, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: withoutQueryStrings(options.logger ?? false),
    bodyLimit: options.bodyLimitBytes,
    // `/v1/executions/` and `/v1/executions` are the same resource; no route is reachable by a trick.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    trustProxy: options.trustProxy ?? false,
    rewriteUrl: (request) => taskRunAlias(request.url ?? '/'),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  const webPage = await registerWebUi(app, options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot);
  app.setNotFoundHandler(async (request, reply) => {
    // A page of the web UI (history-API routes) gets index.html; anything else a problem.
    if (await webPage(request, reply)) return reply;
    return sendProblem(reply, request, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`);
  });
  registerJsonParser(app);
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Runledger API',
        version: options.version ?? '0.0.0',
        description: 'Workflows, executions and their complete record.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // the wire shapes with an id become named components: the clients' types are named after them
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // Audit writes kept out of an answer's time (a refused read); the server's close waits for them.
  const deferredAudit = new DeferredAuditWrites();
  app.decorate('deferredAudit', deferredAudit);
  app.addHook('onClose', () => deferredAudit.drain());
  const sessions = new BrowserSessions(services.store.db, options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS);
  registerAuthentication(app, services.auth, sessions);
  const metrics = createMetrics({ store: services.store, engine: services.engine, logStats: services.logStats });
  app.decorate('metrics', metrics);
  app.addHook('onClose', async () => metrics.close());
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern (`/v1/executions/:id`), never the URL: ids would make a series each.
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  await app.register(healthRoutes(services));
  await app.register(metricsRoutes(services, metrics, options.metricsToken));
  await app.register(authRoutes(services, sessions), { prefix: '/v1' });
  await app.register(workflowRoutes(services), { prefix: '/v1' });
  await app.register(triggerRoutes(services), { prefix: '/v1' });
  await app.register(executionRoutes(services), { prefix: '/v1' });
  await app.register(recordRoutes(services), { prefix: '/v1' });
  await app.register(attachmentRoutes(services), { prefix: '/v1' });
  await app.register(logRoutes(services), { prefix: '/v1' });
  await app.register(adminRoutes(services), { prefix: '/v1' });
  await app.register(auditRoutes(services), { prefix: '/v1' });
  await app.register(retentionRoutes(services), { prefix: '/v1' });
  await app.ready();
  return app;
}
