import { defineConfig } from 'vitest/config';

// Test files are named by kind. `unit` needs no server; `int` and `e2e` need the real PostgreSQL and Kafka
// that `pnpm test` (scripts/test.sh) makes sure are running. Projects run in order: unit, then int, then e2e.
const exclude = ['**/node_modules/**', '**/.data/**'];
const testsOf = (kind: 'unit' | 'int' | 'e2e') =>
  ['packages', 'services', 'infra', 'tests'].map((dir) => `${dir}/**/*.${kind}.spec.ts`);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: testsOf('unit'),
          exclude,
        },
      },
      {
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: testsOf('int'),
          exclude,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // 2 cores shared with PostgreSQL and Kafka: more workers only add contention.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: testsOf('e2e'),
          exclude,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
