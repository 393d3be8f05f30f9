import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromInvocationDir, loadEmbeddedEnv } from './config.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('embedded mode configuration', () => {
  it('given a relative ONESTOP_DATA_DIR, then the server and the CLI both take it from the repository root', () => {
    // Whatever directory the process runs in (`pnpm start` runs in services/runner, `pnpm onestop` in the root).
    expect(loadEmbeddedEnv({ ONESTOP_DATA_DIR: '.data/mine' }).ONESTOP_DATA_DIR).toBe(
      resolve(repoRoot, '.data/mine'),
    );
    expect(loadEmbeddedEnv({ ONESTOP_DATA_DIR: '/srv/onestop' }).ONESTOP_DATA_DIR).toBe('/srv/onestop');
    expect(loadEmbeddedEnv({}).ONESTOP_DATA_DIR).toBe(resolve(repoRoot, '.data/embedded'));
  });

  it('given an --out path, then it is taken from the directory pnpm was invoked in', () => {
    expect(fromInvocationDir('export.ndjson', { INIT_CWD: '/home/analyst/reports' })).toBe(
      '/home/analyst/reports/export.ndjson',
    );
    expect(fromInvocationDir('/tmp/x.ndjson', { INIT_CWD: '/home/analyst' })).toBe('/tmp/x.ndjson');
  });
});
