/**
 * The stack's single entry point (one port, like embedded mode): a node:http reverse proxy that sends each path
 * prefix to its service, fans `POST /v1/dev/clock` out to every service (each process has its own business
 * clock), and passes everything else (catalogue, health, metrics, docs) to its own small server.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Upstream {
  readonly name: string;
  /** `http://host:port` */
  readonly url: string;
}

export interface GatewayRoute {
  /** A path prefix: `/v1/intake` matches `/v1/intake` and `/v1/intake/...`, not `/v1/intakes`. */
  readonly prefix: string;
  readonly upstream: Upstream;
}

export interface GatewayOptions {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly GatewayRoute[];
  /** Receive `POST /v1/dev/clock` (all of them, in parallel). */
  readonly clockTargets: readonly Upstream[];
  /** Everything no route matches. */
  readonly fallback: Upstream;
  /** How long `close()` lets requests in flight finish before it cuts them. Default 10 s. */
  readonly closeGraceMs?: number;
}

export interface Gateway {
  readonly url: string;
  /**
   * Stops taking connections, lets the requests in flight finish (a receipt being committed must reach its
   * clerk), closes keep-alive connections as they turn idle, and cuts what still runs after the grace period.
   */
  close(): Promise<void>;
}

const MAX_FANOUT_BODY = 64 * 1024;

/** The route of the longest prefix that matches whole segments of the path (`/v1/public/feedback` over `/v1/public`). */
export function routeOf(routes: readonly GatewayRoute[], path: string): Upstream | undefined {
  const pathname = path.split('?', 1)[0] ?? path;
  let best: GatewayRoute | undefined;
  for (const r of routes) {
    const matches = pathname === r.prefix || pathname.startsWith(`${r.prefix}/`);
    if (matches && (best === undefined || r.prefix.length > best.prefix.length)) best = r;
  }
  return best?.upstream;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (req.method === 'POST' && (path === '/v1/dev/clock' || path.startsWith('/v1/dev/clock?'))) {
      void fanOut(req, res, options.clockTargets);
      return;
    }
    proxy(req, res, routeOf(options.routes, path) ?? options.fallback, agent);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Node closes only the connections idle at close(); one whose request was in flight turns idle later.
      const reaper = setInterval(() => server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 10_000);
      try {
        await closed;
      } finally {
        clearInterval(reaper);
        clearTimeout(deadline);
      }
      agent.destroy();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function upstreamDown(res: ServerResponse, upstream: Upstream, error: Error): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  sendJson(res, 502, {
    code: 'GATEWAY_UPSTREAM_UNAVAILABLE',
    message: `${upstream.name} did not answer: ${error.message}`,
    details: { service: upstream.name },
  });
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message. Forwarding the upstream's
 * `keep-alive: timeout=72` told clients the gateway keeps idle sockets for 72 s while it closes them after 5 s:
 * a client then reused a socket the gateway had just closed ("other side closed").
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** Streams the request to `upstream` and its answer back, untouched but for `host`, forwarding and hop-by-hop headers. */
function proxy(req: IncomingMessage, res: ServerResponse, upstream: Upstream, agent: http.Agent): void {
  const target = new URL(upstream.url);
  const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  const outgoing = http.request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: {
        ...endToEnd(req.headers),
        host: target.host,
        'x-forwarded-for': forwardedFor,
        'x-forwarded-host': req.headers.host ?? '',
        'x-forwarded-proto': 'http',
      },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
    },
  );
  outgoing.on('error', (error) => upstreamDown(res, upstream, error));
  req.on('aborted', () => outgoing.destroy());
  req.pipe(outgoing);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_FANOUT_BODY) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Sends the same request to every target. All agreeing on a status: that status, with the first answer's body
 * and, on success, every service's answer under `services`. Disagreeing (some set, some failed): 502 naming each
 * service's status, so a half-moved stack is never reported as moved.
 */
async function fanOut(
  req: IncomingMessage,
  res: ServerResponse,
  targets: readonly Upstream[],
): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) {
    sendJson(res, 413, { code: 'GATEWAY_BODY_TOO_LARGE', message: `at most ${MAX_FANOUT_BODY} bytes` });
    return;
  }
  const contentType = req.headers['content-type'] ?? 'application/json';
  const answers = await Promise.all(
    targets.map(async (target) => {
      try {
        const answer = await fetch(new URL(req.url ?? '/', target.url), {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        const text = await answer.text();
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON: reported as text
        }
        return { name: target.name, status: answer.status, body: json };
      } catch (error) {
        return { name: target.name, status: 502, body: { message: String(error) } };
      }
    }),
  );
  const first = answers[0];
  if (first === undefined) {
    sendJson(res, 404, { code: 'GATEWAY_NO_SERVICE', message: 'no service to send the clock to' });
    return;
  }
  const agreed = answers.every((a) => a.status === first.status);
  if (!agreed) {
    sendJson(res, 502, {
      code: 'GATEWAY_FANOUT_PARTIAL',
      message: 'the services did not all accept the request',
      details: {
        services: Object.fromEntries(answers.map((a) => [a.name, { status: a.status, body: a.body }])),
      },
    });
    return;
  }
  if (first.status >= 300 || typeof first.body !== 'object' || first.body === null) {
    sendJson(res, first.status, first.body);
    return;
  }
  sendJson(res, first.status, {
    ...first.body,
    services: Object.fromEntries(answers.map((a) => [a.name, a.body])),
  });
}
