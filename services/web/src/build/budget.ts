import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The ceiling for JavaScript loaded before the first screen: 300 KB gzipped. */
export const INITIAL_JS_BUDGET_BYTES = 300 * 1024;

/** The parts of a Rollup output chunk the budget needs (so it can be computed without a build). */
export interface ChunkLike {
  readonly type: 'chunk' | 'asset';
  readonly fileName: string;
  readonly isEntry?: boolean;
  readonly imports?: readonly string[];
  readonly code?: string;
}

export interface InitialJsSize {
  readonly files: readonly string[];
  readonly gzipBytes: number;
}

/**
 * The JavaScript the browser must fetch before the app runs: every entry chunk and, transitively, the chunks it
 * imports statically. Lazily loaded chunks (dynamic imports: charts, QR codes) are not counted.
 */
export function initialJsSize(bundle: Readonly<Record<string, ChunkLike>>): InitialJsSize {
  const seen = new Set<string>();
  const visit = (fileName: string): void => {
    const chunk = bundle[fileName];
    if (chunk === undefined || chunk.type !== 'chunk' || seen.has(fileName)) return;
    seen.add(fileName);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const chunk of Object.values(bundle))
    if (chunk.type === 'chunk' && chunk.isEntry) visit(chunk.fileName);
  const files = [...seen].sort();
  const gzipBytes = files.reduce(
    (sum, file) => sum + gzipSync(bundle[file]?.code ?? '', { level: 9 }).length,
    0,
  );
  return { files, gzipBytes };
}

/** Fails the build when the initial JavaScript exceeds `budgetBytes` gzipped; prints the figure either way. */
export function bundleBudget(budgetBytes = INITIAL_JS_BUDGET_BYTES): Plugin {
  return {
    name: 'onestop-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const { files, gzipBytes } = initialJsSize(bundle as Record<string, ChunkLike>);
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      const line = `initial JS ${kb(gzipBytes)} gzipped (budget ${kb(budgetBytes)}) in ${files.join(', ')}`;
      if (gzipBytes > budgetBytes) this.error(`bundle budget exceeded: ${line}`);
      this.info(line);
      this.emitFile({
        type: 'asset',
        fileName: 'bundle-size.json',
        source: `${JSON.stringify({ initialJsGzipBytes: gzipBytes, budgetBytes, files }, null, 2)}\n`,
      });
    },
  };
}
