import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { defineError } from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { defaultDistDir, ensureWebBuilt } from './build.js';

export interface WebOptions {
  /** Where the built app lives (default `services/web/dist`). */
  readonly distDir?: string;
  /** Build the app on first request when `dist` is missing or stale (default true; stack images prebuild). */
  readonly buildOnDemand?: boolean;
}

const mediaTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export const WebAssetNotFound = defineError<{ file: string }>('WEB_ASSET_NOT_FOUND', 'not_found');
export const WebBuildFailed = defineError('WEB_BUILD_FAILED', 'unavailable');

// Hashed asset names only: no path separators, so nothing outside dist/assets can be named.
const assetParams = z.object({ file: z.string().regex(/^[\w.-]+$/) });

/**
 * Serves the built web app: `/` (index.html, never cached: it names the current hashed bundles) and
 * `/assets/{file}` (immutable). The app routes by URL hash, so only `/tracking` (the public page the receipt's QR
 * code opens) needs the same index. Public: the app itself holds no data; every API call it makes carries the
 * user's token (the public page calls only the public routes).
 */
export async function registerWeb(app: App, options: WebOptions = {}): Promise<void> {
  const distDir = options.distDir ?? defaultDistDir;
  const ready = () => (options.buildOnDemand === false ? Promise.resolve() : ensureWebBuilt(distDir));

  const index = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await ready();
    } catch (error) {
      request.log.error({ err: error }, 'building the web app failed');
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web app could not be built; see the server log.');
    }
    const html = await readFile(join(distDir, 'index.html'));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  app.get('/', { config: { public: true }, schema: { hide: true } }, index);
  // The public tracking page, which the receipt's QR code opens (`/tracking?code=…&secret=…`).
  app.get('/tracking', { config: { public: true }, schema: { hide: true } }, index);

  app.get(
    '/assets/:file',
    { config: { public: true }, schema: { hide: true, params: assetParams } },
    async (request, reply) => {
      const { file } = request.params;
      const body = await readFile(join(distDir, 'assets', file)).catch(() => undefined);
      if (body === undefined) throw WebAssetNotFound(`no asset ${file}`, { details: { file } });
      return reply
        .type(mediaTypes[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(body);
    },
  );
}
