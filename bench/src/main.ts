/**
 * `pnpm bench`: every benchmark of the project in one run, each against a baseline measured in the same run.
 * Prints a table and writes bench/results/latest.json (contract: [{ name, value, unit, baseline, baselineValue,
 * ratio }]). `--quick` shortens runs for a smoke test; `--only <suite>` runs one suite.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchResult, printTable } from './harness.js';
import { eventStoreBench } from './suites/event-store.js';
import { httpBench } from './suites/http.js';
import { messagingBench } from './suites/messaging.js';
import { projectionBench } from './suites/projection.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const quick = values.quick ?? false;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const suites: Record<string, () => Promise<BenchResult[]>> = {
  'event-store': () =>
    eventStoreBench({
      durationMs: quick ? 1500 : 5000,
      runs: quick ? 1 : 3,
      readEvents: quick ? 20_000 : 500_000,
      emmettReadEvents: quick ? 10_000 : 200_000,
      log,
    }),
  messaging: () =>
    messagingBench({
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
      events: quick ? 10_000 : 100_000,
      runs: quick ? 1 : 3,
      rate: 1_000,
      latencyMs: quick ? 3_000 : 10_000,
      log,
    }),
  http: () =>
    httpBench({
      durationS: quick ? 3 : 10,
      warmupS: quick ? 1 : 2,
      runs: quick ? 1 : 2,
      connections: 8,
      log,
    }),
  projection: () =>
    projectionBench({
      events: quick ? 100_000 : 1_000_000,
      kpiDossiers: quick ? 100_000 : 1_000_000,
      queries: quick ? 200 : 1_000,
      log,
    }),
};

const selected = values.only === undefined ? Object.keys(suites) : [values.only];
const results: BenchResult[] = [];
const started = Date.now();
for (const name of selected) {
  const suite = suites[name];
  if (!suite) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`);
  log(`suite ${name}`);
  results.push(...(await suite()));
}
printTable(results);
const out = resolve(import.meta.dirname, '../results/latest.json');
await mkdir(resolve(out, '..'), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${out} (${results.length} results in ${Math.round((Date.now() - started) / 1000)} s)`);
