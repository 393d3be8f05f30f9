import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web package's root (where index.html and vite.config.ts live). */
export const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const defaultDistDir = join(webRoot, 'dist');

/** What a build reads: when any of these is newer than the built index.html, the build is stale. */
const sources = ['index.html', 'vite.config.ts', 'package.json', 'src/app', 'src/build'];

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when `dist` is missing or older than a source file (a fresh clone, or an edit since the last build). */
export async function isBuildStale(distDir = defaultDistDir): Promise<boolean> {
  const built = await stat(join(distDir, 'index.html')).catch(() => undefined);
  if (built === undefined) return true;
  const newest = Math.max(...(await Promise.all(sources.map((s) => newestMtime(join(webRoot, s))))));
  return newest > built.mtimeMs;
}

/**
 * Builds the app with Vite into a scratch folder, then swaps it in, so a server (or a second process building at
 * the same time) never serves a half-written `dist`. The bundle budget plugin fails the build when over budget.
 */
export async function buildWeb(distDir = defaultDistDir): Promise<void> {
  const { build } = await import('vite');
  const scratch = `${distDir}.${process.pid}.${Date.now()}`;
  await build({
    root: webRoot,
    configFile: join(webRoot, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: scratch, emptyOutDir: true },
  });
  await rm(distDir, { recursive: true, force: true });
  await rename(scratch, distDir).catch(async (error: unknown) => {
    // Another process swapped in its build first: theirs is as good as ours.
    await rm(scratch, { recursive: true, force: true });
    if (!(await stat(join(distDir, 'index.html')).catch(() => undefined))) throw error;
  });
}

let ensured: Promise<void> | undefined;

/** Builds the app once per process if `dist` is missing or stale; later calls share the first one's promise. */
export function ensureWebBuilt(distDir = defaultDistDir): Promise<void> {
  ensured ??= (async () => {
    if (await isBuildStale(distDir)) await buildWeb(distDir);
  })().catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}
