import { afterEach, describe, expect, it } from 'vitest';
import { readinessResponseSchema } from './health.js';
import { type App, buildServer } from './server.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function server(options: Parameters<typeof buildServer>[0]['readiness'] = {}): Promise<App> {
  const app = await buildServer({ name: 'health', logger: false, docs: false, readiness: options });
  apps.push(app);
  return app;
}

describe('GET /health/live', () => {
  it('given a failing dependency, then live still answers 200', async () => {
    const app = await server({ checks: { db: async () => Promise.reject(new Error('down')) } });
    const response = await app.inject({ url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /health/ready', () => {
  it('given no checks, then ready is ok', async () => {
    const app = await server();
    const response = await app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: {} });
  });

  it('given passing checks from options and from addReadinessCheck, then 200 reports each with its latency', async () => {
    const app = await server({ checks: { postgres: async () => undefined } });
    app.addReadinessCheck('kafka', async () => ({ ok: true, detail: '3 brokers' }));
    const response = await app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    const report = readinessResponseSchema.parse(response.json());
    expect(report.status).toBe('ok');
    expect(report.checks.postgres).toEqual({ ok: true, latencyMs: expect.any(Number) });
    expect(report.checks.kafka).toMatchObject({ ok: true, detail: '3 brokers' });
  });

  it('given a check that throws, then 503 names it with the error as detail and keeps the others', async () => {
    const app = await server({
      checks: {
        postgres: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
        kafka: async () => undefined,
      },
    });
    const response = await app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    const report = readinessResponseSchema.parse(response.json());
    expect(report.status).toBe('fail');
    expect(report.checks.postgres).toMatchObject({
      ok: false,
      detail: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
    expect(report.checks.kafka).toMatchObject({ ok: true });
  });

  it('given a check reporting not ok, then 503 with its detail', async () => {
    const app = await server({ checks: { relay: async () => ({ ok: false, detail: 'lag 5000 events' }) } });
    const response = await app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ checks: { relay: { ok: false, detail: 'lag 5000 events' } } });
  });

  it('given a check that hangs, then it fails after the timeout and its signal is aborted', async () => {
    let aborted = false;
    const app = await server({
      timeoutMs: 30,
      checks: {
        slow: (signal) =>
          new Promise<void>(() => {
            signal.addEventListener('abort', () => {
              aborted = true;
            });
          }),
      },
    });
    const response = await app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    const report = readinessResponseSchema.parse(response.json());
    expect(report.checks.slow).toMatchObject({ ok: false, detail: 'timed out after 30 ms' });
    expect(report.checks.slow?.latencyMs).toBeGreaterThanOrEqual(25);
    expect(aborted).toBe(true);
  });

  it('given a name already registered, then adding it again throws', async () => {
    const app = await server({ checks: { postgres: async () => undefined } });
    expect(() => app.addReadinessCheck('postgres', async () => undefined)).toThrow(/already registered/);
  });
});
