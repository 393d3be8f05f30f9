/**
 * Measures the embedded adapter on this machine (numbers in docs/decisions/0002-embedded-store.md):
 *   pnpm exec tsx packages/event-store/src/embedded/measure/measure-embedded.ts [seconds-per-run] [runs]
 *   pnpm exec tsx packages/event-store/src/embedded/measure/measure-embedded.ts --commits 200 <dataDir>
 *   pnpm exec tsx packages/event-store/src/embedded/measure/measure-embedded.ts --appenders 8 [seconds-per-run] [runs]
 * The second form only makes 200 single-event appends, for `strace -f -c -e trace=fsync,fdatasync`. The third runs
 * single-event appends from 1 and from N concurrent appenders (file mode), with group commit off and on.
 * Workload as research/perf-anchors.md: ~1,030-byte JSON payloads from a pool built in advance; 1 event/tx goes
 * to a new stream each time, 100 events/tx to one stream; readAll pages of 1,000 with JSON parsed.
 * The PGlite counterpart (same workload, same table shape) lives outside the repo; the doc describes it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint, EventToAppend, JsonObject } from '../../port.js';
import { embeddedEventStore } from '../embedded-event-store.js';

/** This is a command-line measurement: its results go to stdout. */
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function payload(i: number): JsonObject {
  const base: JsonObject = {
    dossierId: randomUUID(),
    procedureCode: `1.00${i % 10}123.000.00.00.H56`,
    applicant: { fullName: 'Nguyễn Văn An', idNumber: String(10 ** 11 + i), phone: '0901234567' },
    components: [
      { code: 'TP1', name: 'Đơn đề nghị', copies: 1 },
      { code: 'TP2', name: 'Bản sao giấy chứng nhận', copies: 2 },
    ],
    receivedAt: '2026-11-25T08:00:00.000Z',
    note: '',
  };
  base.note = 'x'.repeat(Math.max(0, 1030 - JSON.stringify(base).length));
  return base;
}
const pool = Array.from({ length: 1024 }, (_, i) => payload(i));
let n = 0;
function nextEvent(): EventToAppend {
  n++;
  return { eventId: randomUUID(), type: 'DossierReceived', data: pool[n % pool.length] ?? {} };
}

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
}

async function closedLoop(seconds: number, eventsPerOp: number, op: () => Promise<unknown>): Promise<Run> {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    await op();
    latencies.push(performance.now() - t);
  }
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: (latencies.length * eventsPerOp) / elapsed, p50: at(0.5), p99: at(0.99) };
}

/** `appenders` closed loops at once, each awaiting its own append before the next: per-op latency, total rate. */
async function concurrentLoop(seconds: number, appenders: number, op: () => Promise<unknown>): Promise<Run> {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

/** Single-event appends from 1 and from `appenders` appenders, group commit off and on, runs interleaved. */
async function measureAppenders(appenders: number, seconds: number, runs: number): Promise<void> {
  const cases = [1, appenders].flatMap((count) => [false, true].map((batching) => ({ count, batching })));
  const results = cases.map(() => [] as Run[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, { count, batching }] of cases.entries()) {
      const dataDir = mkdtempSync(join(tmpdir(), 'onestop-measure-'));
      const store = embeddedEventStore({ dataDir, batching });
      results[i]?.push(
        await concurrentLoop(seconds, count, () =>
          store.appendToStream(randomUUID(), [nextEvent()], { expectedVersion: 'no_stream' }),
        ),
      );
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  for (const [i, { count, batching }] of cases.entries()) {
    summary(
      `[file] 1 event/tx, ${count} appender(s), group commit ${batching ? 'on' : 'off'}`,
      results[i] ?? [],
    );
  }
}

function summary(what: string, runs: Run[]): void {
  const rates = runs.map((r) => r.perSecond).sort((a, b) => a - b);
  const median = runs.slice().sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)];
  print(
    `${what}: median ${Math.round(median?.perSecond ?? 0)} events/s (${Math.round(rates[0] ?? 0)}–${Math.round(
      rates.at(-1) ?? 0,
    )}), p50 ${median?.p50.toFixed(2)} ms, p99 ${median?.p99.toFixed(2)} ms per tx`,
  );
}

async function measure(mode: 'file' | 'memory', seconds: number, runs: number): Promise<void> {
  const open = (dataDir: string) =>
    mode === 'file' ? embeddedEventStore({ dataDir }) : embeddedEventStore();

  const startups: number[] = [];
  const single: Run[] = [];
  const hundred: Run[] = [];
  for (let r = 0; r < runs; r++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'onestop-measure-'));
    const t = performance.now();
    const store = open(dataDir);
    await store.readAll({ maxCount: 1 });
    startups.push(performance.now() - t);
    single.push(
      await closedLoop(seconds, 1, () =>
        store.appendToStream(randomUUID(), [nextEvent()], { expectedVersion: 'no_stream' }),
      ),
    );
    const streamId = randomUUID();
    hundred.push(
      await closedLoop(seconds, 100, () =>
        store.appendToStream(streamId, Array.from({ length: 100 }, nextEvent), { expectedVersion: 'any' }),
      ),
    );
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  print(`[${mode}] start-up, empty: ${startups.map((ms) => ms.toFixed(1)).join(' / ')} ms`);
  summary(`[${mode}] 1 event/tx`, single);
  summary(`[${mode}] 100 events/tx`, hundred);

  // readAll of 200k events, pages of 1,000.
  const dataDir = mkdtempSync(join(tmpdir(), 'onestop-measure-'));
  const store = open(dataDir);
  for (let i = 0; i < 2000; i++) {
    await store.appendToStream(`load-${i % 500}`, Array.from({ length: 100 }, nextEvent), {
      expectedVersion: 'any',
    });
  }
  const reads: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    let count = 0;
    let after: Checkpoint | undefined;
    for (;;) {
      const page = await store.readAll(after === undefined ? { maxCount: 1000 } : { after, maxCount: 1000 });
      if (page.events.length === 0) break;
      count += page.events.length;
      after = page.checkpoint;
    }
    reads.push(count / ((performance.now() - t) / 1000));
  }
  reads.sort((a, b) => a - b);
  print(
    `[${mode}] readAll 200k, pages of 1000: median ${Math.round(reads[Math.floor(runs / 2)] ?? 0)} events/s (${Math.round(
      reads[0] ?? 0,
    )}–${Math.round(reads.at(-1) ?? 0)})`,
  );
  await store.close();
  if (mode === 'file') {
    const t = performance.now();
    const reopened = open(dataDir);
    await reopened.readAll({ maxCount: 1 });
    print(`[${mode}] start-up, reopen with 200k events: ${(performance.now() - t).toFixed(1)} ms`);
    await reopened.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
}

const [first, second, third] = process.argv.slice(2);
if (first === '--commits') {
  const store = embeddedEventStore({ dataDir: third ?? mkdtempSync(join(tmpdir(), 'onestop-strace-')) });
  const commits = Number(second ?? 200);
  for (let i = 0; i < commits; i++) {
    await store.appendToStream(randomUUID(), [nextEvent()], { expectedVersion: 'no_stream' });
  }
  await store.close();
  print(`${commits} single-event appends done`);
} else if (first === '--appenders') {
  const [, , seconds, runs] = process.argv.slice(2);
  await measureAppenders(Number(second ?? 8), Number(seconds ?? 5), Number(runs ?? 3));
} else {
  const seconds = Number(first ?? 5);
  const runs = Number(second ?? 3);
  await measure('file', seconds, runs);
  await measure('memory', seconds, runs);
}
