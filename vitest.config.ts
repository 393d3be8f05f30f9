import { defineConfig } from 'vitest/config';

// Test files are named by kind. `unit` needs no server; `int` and `e2e` need the real PostgreSQL and Kafka
// that `pnpm test` (scripts/test.sh) makes sure are running. Projects run in order: unit, then int, then e2e.
const exclude = ['**/node_modules/**', '**/.data/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['packages/**/*.unit.spec.ts', 'services/**/*.unit.spec.ts', 'infra/**/*.unit.spec.ts', 'tests/**/*.unit.spec.ts'],
          exclude,
        },
      },
      {
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: ['packages/**/*.int.spec.ts', 'services/**/*.int.spec.ts', 'infra/**/*.int.spec.ts', 'tests/**/*.int.spec.ts'],
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
          include: ['packages/**/*.e2e.spec.ts', 'services/**/*.e2e.spec.ts', 'infra/**/*.e2e.spec.ts', 'tests/**/*.e2e.spec.ts'],
          exclude,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
