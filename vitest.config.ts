import { defineConfig } from 'vitest/config';

// Test files are named by kind. `unit` needs no server; `int` and `e2e` need the real PostgreSQL and Kafka
// that `pnpm test` (scripts/test.sh) makes sure are running.
const exclude = ['**/node_modules/**', '**/.data/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/**/*.unit.spec.ts', 'services/**/*.unit.spec.ts', 'infra/**/*.unit.spec.ts'],
          exclude,
        },
      },
      {
        test: {
          name: 'int',
          include: ['packages/**/*.int.spec.ts', 'services/**/*.int.spec.ts', 'infra/**/*.int.spec.ts'],
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
          include: ['packages/**/*.e2e.spec.ts', 'services/**/*.e2e.spec.ts', 'infra/**/*.e2e.spec.ts'],
          exclude,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
