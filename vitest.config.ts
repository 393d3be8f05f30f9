import { defineConfig } from 'vitest/config';

// Test files are named by kind. `unit` needs no server; `int` and `e2e` need the real PostgreSQL and Kafka
// that `pnpm test` (scripts/test.sh) makes sure are running. Projects run in order: unit, then int, then e2e.
const exclude = ['**/node_modules/**', '**/.data/**'];
// Where int and e2e tests get PostgreSQL and Kafka: the running services named by DATABASE_URL / KAFKA_BROKERS, or
// containers when those are unset and a Docker engine answers (packages/testing, docs/architecture.md).
const services = {
  globalSetup: ['packages/testing/src/global-setup.ts'],
  setupFiles: ['packages/testing/src/provided-env.ts'],
};
const testsOf = (kind: 'unit' | 'int' | 'e2e') =>
  ['packages', 'services', 'infra', 'tests', 'bench'].map((dir) => `${dir}/**/*.${kind}.spec.ts`);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: testsOf('unit'),
          exclude,
          // Unit tests need no server: with these blank, a unit spec that reaches for PostgreSQL or Kafka through
          // @onestop/testing fails at once (with the command that starts them) instead of passing only where they run.
          env: { DATABASE_URL: '', KAFKA_BROKERS: '' },
        },
      },
      {
        test: {
          name: 'int',
          ...services,
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
          ...services,
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
