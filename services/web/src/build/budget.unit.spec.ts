import { describe, expect, it } from 'vitest';
import { type ChunkLike, initialJsSize } from './budget.js';

const chunk = (fileName: string, code: string, imports: string[] = [], isEntry = false): ChunkLike => ({
  type: 'chunk',
  fileName,
  code,
  imports,
  isEntry,
});

describe('initial JS budget', () => {
  it('given an entry with static and dynamic imports, when measured, then only the entry and its static imports count', () => {
    const bundle = {
      'index.js': chunk('index.js', 'import "./vendor.js";'.repeat(50), ['vendor.js'], true),
      'vendor.js': chunk('vendor.js', 'export const v = 1;'.repeat(50), ['shared.js']),
      'shared.js': chunk('shared.js', 'export const s = 2;'),
      'dashboard.js': chunk('dashboard.js', 'x'.repeat(100_000)),
      'style.css': { type: 'asset', fileName: 'style.css' } satisfies ChunkLike,
    };
    const measured = initialJsSize(bundle);
    expect(measured.files).toEqual(['index.js', 'shared.js', 'vendor.js']);
    expect(measured.gzipBytes).toBeGreaterThan(0);
    // The lazy 100 kB chunk is left out: with it the figure would exceed its own gzip size (> 100 bytes).
    const withLazy = initialJsSize({
      ...bundle,
      'dashboard.js': chunk('dashboard.js', 'x'.repeat(100_000), [], true),
    });
    expect(withLazy.gzipBytes).toBeGreaterThan(measured.gzipBytes);
  });
});
