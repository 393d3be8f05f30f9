import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Gateway, routeOf, startGateway, type Upstream } from './gateway.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A tiny upstream answering `{ name, method, url, body }`, or `status` for the clock when told to fail. */
async function upstream(name: string, clockStatus = 200): Promise<Upstream> {
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const status = req.url?.startsWith('/v1/dev/clock') ? clockStatus : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name, method: req.method, url: req.url, body, host: req.headers.host }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(() => new Promise<void>((done) => server.close(() => done())));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { name, url: `http://127.0.0.1:${port}` };
}

async function gateway(targets: Upstream[], fallback: Upstream): Promise<Gateway> {
  const [intake, processing] = targets;
  if (intake === undefined || processing === undefined) throw new Error('two upstreams');
  const started = await startGateway({
    host: '127.0.0.1',
    port: 0,
    routes: [
      { prefix: '/v1/intake', upstream: intake },
      { prefix: '/v1/processing', upstream: processing },
    ],
    clockTargets: targets,
    fallback,
  });
  closers.push(() => started.close());
  return started;
}

describe('the gateway', () => {
  it('given routes by prefix, when a path is looked up, then whole segments match and the query is ignored', () => {
    const a: Upstream = { name: 'a', url: 'http://a' };
    const routes = [{ prefix: '/v1/intake', upstream: a }];
    expect(routeOf(routes, '/v1/intake')).toBe(a);
    expect(routeOf(routes, '/v1/intake/dossiers?x=1')).toBe(a);
    expect(routeOf(routes, '/v1/intakes')).toBeUndefined();
    expect(routeOf(routes, '/v1/catalog/units')).toBeUndefined();
  });

  it('given nested prefixes of two services, when a path is looked up, then the longest prefix wins whatever the order', () => {
    const projection: Upstream = { name: 'projection', url: 'http://p' };
    const feedback: Upstream = { name: 'feedback', url: 'http://f' };
    const routes = [
      { prefix: '/v1/public', upstream: projection },
      { prefix: '/v1/public/feedback', upstream: feedback },
    ];
    for (const ordered of [routes, [...routes].reverse()]) {
      expect(routeOf(ordered, '/v1/public/feedback')).toBe(feedback);
      expect(routeOf(ordered, '/v1/public/feedback/0195a1b2-0000-7000-8000-000000000001?secret=x')).toBe(
        feedback,
      );
      expect(routeOf(ordered, '/v1/public/feedbacks')).toBe(projection);
      expect(routeOf(ordered, '/v1/public/units')).toBe(projection);
    }
  });

  it('given two services and a fallback, when requests come in, then each reaches its service with its method, path and body', async () => {
    const own = await upstream('gateway');
    const g = await gateway([await upstream('intake'), await upstream('processing')], own);
    const posted = await fetch(`${g.url}/v1/intake/dossiers?dry=1`, { method: 'POST', body: '{"a":1}' });
    expect(await posted.json()).toMatchObject({
      name: 'intake',
      method: 'POST',
      url: '/v1/intake/dossiers?dry=1',
      body: '{"a":1}',
    });
    expect(await (await fetch(`${g.url}/v1/processing/cases/x`)).json()).toMatchObject({
      name: 'processing',
    });
    expect(await (await fetch(`${g.url}/v1/catalog/units`)).json()).toMatchObject({ name: 'gateway' });
  });

  it('when the clock is set, then every service gets the same request and the answers are listed per service', async () => {
    const g = await gateway(
      [await upstream('intake'), await upstream('processing')],
      await upstream('gateway'),
    );
    const answer = await fetch(`${g.url}/v1/dev/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"now":"2025-09-15T09:00:00+07:00"}',
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { services: Record<string, { body: string; url: string }> };
    expect(Object.keys(body.services)).toEqual(['intake', 'processing']);
    for (const service of Object.values(body.services)) {
      expect(service).toMatchObject({ url: '/v1/dev/clock', body: '{"now":"2025-09-15T09:00:00+07:00"}' });
    }
  });

  it('given one service refusing the clock, when it is set, then 502 names each service’s status', async () => {
    const g = await gateway(
      [await upstream('intake'), await upstream('processing', 404)],
      await upstream('gateway'),
    );
    const answer = await fetch(`${g.url}/v1/dev/clock`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(502);
    expect(await answer.json()).toMatchObject({
      code: 'GATEWAY_FANOUT_PARTIAL',
      details: { services: { intake: { status: 200 }, processing: { status: 404 } } },
    });
  });

  it('given a request in flight, when the gateway closes, then the request is answered and close waits for it', async () => {
    const slow = http.createServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"dossierCode":"committed"}');
      }, 300);
    });
    await new Promise<void>((done) => slow.listen(0, '127.0.0.1', done));
    closers.push(() => new Promise<void>((done) => slow.close(() => done())));
    const address = slow.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const intake = { name: 'intake', url: `http://127.0.0.1:${port}` };
    const g = await startGateway({
      host: '127.0.0.1',
      port: 0,
      routes: [{ prefix: '/v1/intake', upstream: intake }],
      clockTargets: [],
      fallback: await upstream('gateway'),
    });
    // A keep-alive connection with nothing in flight must not hold the close either.
    await (await fetch(`${g.url}/v1/catalog/units`)).text();

    const inFlight = fetch(`${g.url}/v1/intake/dossiers`, { method: 'POST', body: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await g.close();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ dossierCode: 'committed' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(fetch(`${g.url}/v1/intake/dossiers`)).rejects.toThrow();
  });

  it('given a service that is down, when it is called, then 502 names it', async () => {
    const dead: Upstream = { name: 'processing', url: 'http://127.0.0.1:9' };
    const g = await gateway([await upstream('intake'), dead], await upstream('gateway'));
    const answer = await fetch(`${g.url}/v1/processing/cases/x`);
    expect(answer.status).toBe(502);
    expect(await answer.json()).toMatchObject({
      code: 'GATEWAY_UPSTREAM_UNAVAILABLE',
      details: { service: 'processing' },
    });
  });

  it('given an upstream that keeps sockets longer than the gateway, then its keep-alive promise is not passed on', async () => {
    const slow = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'keep-alive': 'timeout=72', 'x-kept': 'yes' });
      res.end('{}');
    });
    await new Promise<void>((done) => slow.listen(0, '127.0.0.1', done));
    closers.push(() => new Promise<void>((done) => slow.close(() => done())));
    const address = slow.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const own = await upstream('gateway');
    const g = await gateway(
      [{ name: 'intake', url: `http://127.0.0.1:${port}` }, await upstream('processing')],
      own,
    );
    const headers = await new Promise<http.IncomingHttpHeaders>((done, fail) => {
      http
        .get(`${g.url}/v1/intake/x`, { agent: new http.Agent({ keepAlive: true }) }, (res) => {
          res.resume();
          done(res.headers);
        })
        .on('error', fail);
    });
    expect(headers['x-kept']).toBe('yes');
    // the gateway's own idle timeout (5 s), not the upstream's 72 s
    expect(headers['keep-alive']).toBe('timeout=5');
  });
});
