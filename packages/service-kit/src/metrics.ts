import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** This server's own registry: services add their metrics here, never to prom-client's global one. */
    readonly metrics: Registry;
  }
}

export interface MetricsOptions {
  /** Include the process metrics (CPU, memory, event loop) in `GET /metrics` (default true). */
  readonly processMetrics?: boolean;
}

// Process metrics describe the process, not a server, so they are collected once per process and shown by
// every server in it. Collecting them per server would start one event-loop monitor and GC observer each.
let processRegistry: Registry | undefined;

function processMetricsRegistry(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function installMetrics(app: FastifyInstance, options: MetricsOptions = {}): void {
  const registry = new Registry();
  const sources = options.processMetrics === false ? [registry] : [registry, processMetricsRegistry()];
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending the response, by route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.decorate('metrics', registry);

  app.addHook('onResponse', async (request, reply) => {
    // The route template, not the URL: ids in paths would give every dossier its own time series.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: { tags: ['ops'], summary: 'Prometheus metrics', produces: ['text/plain'] },
    },
    async (_request, reply) => {
      const texts = await Promise.all(sources.map((source) => source.metrics()));
      return reply.type(registry.contentType).send(texts.join('\n'));
    },
  );
}
