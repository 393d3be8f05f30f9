import { register as globalRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type App, buildServer } from './server.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function server(name: string, processMetrics = true): Promise<App> {
  const app = await buildServer({
    name,
    logger: false,
    docs: false,
    metrics: { processMetrics },
    routes: async (routes) => {
      routes.get('/items/:id', { schema: { params: z.object({ id: z.string() }) } }, async (request) => ({
        id: request.params.id,
      }));
    },
    prefix: `/v1/${name}`,
  });
  apps.push(app);
  return app;
}

async function scrape(app: App): Promise<string> {
  const response = await app.inject({ url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toContain('text/plain');
  return response.body;
}

describe('GET /metrics', () => {
  it('given served requests, then the duration histogram counts them by route template and status', async () => {
    const app = await server('intake');
    await app.inject({ url: '/v1/intake/items/1' });
    await app.inject({ url: '/v1/intake/items/2' });
    await app.inject({ url: '/v1/intake/nope' });
    const text = await scrape(app);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/v1/intake/items/:id",status_code="200"} 2',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1',
    );
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('given two servers in one process, then each has its own registry and sees only its own requests', async () => {
    const intake = await server('intake');
    const processing = await server('processing');
    await intake.inject({ url: '/v1/intake/items/1' });
    const intakeText = await scrape(intake);
    const processingText = await scrape(processing);
    expect(intake.metrics).not.toBe(processing.metrics);
    expect(intake.metrics).not.toBe(globalRegistry);
    expect(intakeText).toContain('route="/v1/intake/items/:id"');
    expect(processingText).not.toContain('route="/v1/intake/items/:id"');
    // Both show the process metrics, collected once for the process.
    expect(processingText).toContain('process_cpu_user_seconds_total');
    expect(processingText.match(/^# TYPE process_cpu_user_seconds_total/gm)).toHaveLength(1);
  });

  it('given processMetrics off, then only the server metrics are shown', async () => {
    const app = await server('projection', false);
    const text = await scrape(app);
    expect(text).not.toContain('process_cpu_user_seconds_total');
    expect(text).toContain('http_request_duration_seconds');
  });
});
