/**
 * A small closed-loop benchmark harness. Every figure we publish is a ratio against a baseline measured in the
 * same run on the same machine (absolute numbers drift ±15–25 % between runs here; perf-anchors.md "Noise").
 */

export interface BenchResult {
  /** What was measured, e.g. `append (1 event, 8 appenders)`. */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What it was compared with, e.g. `raw insert (1 row/tx, 8 clients)`. */
  readonly baseline: string;
  readonly baselineValue: number;
  /** Throughput: ours ÷ baseline (higher is better). Latency: baseline ÷ ours (higher is better). */
  readonly ratio: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Min and max of the runs whose median is `value`. */
  readonly range?: readonly [number, number];
  readonly note?: string;
  /** Where the CPU went, per request, for ours and for the baseline (suites that measure it). */
  readonly cpuUsPerRequest?: CpuPerRequest;
  readonly baselineCpuUsPerRequest?: CpuPerRequest;
}

/** CPU time per successful request during a measured window, in µs; undefined where it could not be read. */
export interface CpuPerRequest {
  readonly server: number | undefined;
  /** The PostgreSQL backends serving the bench's database (none for a server that does not use PostgreSQL). */
  readonly postgres: number | undefined;
  readonly loadGenerator: number;
  /** Share of the machine's CPU time that was busy (every process), 0–1. */
  readonly machineBusy: number | undefined;
}

export interface Rate {
  /** Median over runs, per second. */
  readonly perSecond: number;
  readonly range: readonly [number, number];
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)] ?? 0;
}

export interface ClosedLoopOptions {
  /** Concurrent workers; each starts its next operation as soon as the last one returns. */
  readonly concurrency: number;
  readonly durationMs: number;
  readonly runs: number;
  /** Items (events, rows) per operation: the rate is items/s. */
  readonly itemsPerOp: number;
  /** Called before each run (e.g. TRUNCATE). */
  readonly beforeRun?: () => Promise<void>;
  readonly op: (worker: number, iteration: number) => Promise<void>;
}

interface RunSample {
  readonly rate: number;
  readonly latencies: readonly number[];
}

async function closedLoopRun(options: ClosedLoopOptions): Promise<RunSample> {
  await options.beforeRun?.();
  const latencies: number[] = [];
  let ops = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, worker) => {
      let iteration = 0;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await options.op(worker, iteration++);
        latencies.push(performance.now() - t0);
        ops++;
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  return { rate: (ops * options.itemsPerOp) / elapsedS, latencies };
}

function toRate(samples: readonly RunSample[]): Rate {
  const rates = samples.map((s) => s.rate);
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  return {
    perSecond: median(rates),
    range: [Math.min(...rates), Math.max(...rates)],
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export async function closedLoop(options: ClosedLoopOptions): Promise<Rate> {
  const samples: RunSample[] = [];
  for (let run = 0; run < options.runs; run++) samples.push(await closedLoopRun(options));
  return toRate(samples);
}

/**
 * Measures several closed loops that are to be compared, taking turns run by run (A B C A B C ...), so a burst
 * of load from elsewhere on the machine hits all of them alike instead of whichever ran at that moment.
 * Every loop uses its own `runs`; the longest decides the number of rounds.
 */
export async function interleavedClosedLoops<const T extends readonly ClosedLoopOptions[]>(
  loops: T,
): Promise<{ -readonly [K in keyof T]: Rate }> {
  const samples: RunSample[][] = loops.map(() => []);
  const rounds = Math.max(...loops.map((l) => l.runs));
  for (let round = 0; round < rounds; round++) {
    for (const [i, loop] of loops.entries()) {
      if (round < loop.runs) samples[i]?.push(await closedLoopRun(loop));
    }
  }
  // One rate per loop, in order: the tuple type only restates that.
  return samples.map(toRate) as { -readonly [K in keyof T]: Rate };
}

/** Times a whole task that processes `items` items; median of `runs`. */
export async function timed(runs: number, items: number, task: () => Promise<void>): Promise<Rate> {
  const [rate] = await interleavedTimed(runs, [{ items, task }]);
  if (!rate) throw new Error('no rate');
  return rate;
}

/** Like `timed` for tasks to be compared, taking turns run by run (see `interleavedClosedLoops`). */
export async function interleavedTimed<
  const T extends readonly { readonly items: number; readonly task: () => Promise<void> }[],
>(runs: number, tasks: T): Promise<{ -readonly [K in keyof T]: Rate }> {
  const rates: number[][] = tasks.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [i, { items, task }] of tasks.entries()) {
      const t0 = performance.now();
      await task();
      rates[i]?.push(items / ((performance.now() - t0) / 1000));
    }
  }
  // One rate per task, in order: the tuple type only restates that.
  return rates.map(
    (r): Rate => ({ perSecond: median(r), range: [Math.min(...r), Math.max(...r)], p50Ms: 0, p99Ms: 0 }),
  ) as { -readonly [K in keyof T]: Rate };
}

export function throughputResult(
  name: string,
  ours: Rate,
  baseline: string,
  base: Rate,
  unit = 'events/s',
  note?: string,
): BenchResult {
  return {
    name,
    value: round(ours.perSecond),
    unit,
    baseline,
    baselineValue: round(base.perSecond),
    ratio: round(ours.perSecond / base.perSecond, 3),
    ...(ours.p50Ms > 0 ? { p50Ms: round(ours.p50Ms, 2), p99Ms: round(ours.p99Ms, 2) } : {}),
    range: [round(ours.range[0]), round(ours.range[1])],
    ...(note === undefined ? {} : { note }),
  };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A pool of ~1 KB JSON payloads built in advance, so payload generation is not measured. */
export function payloadPool(size = 1024): Array<Record<string, string | number | boolean>> {
  return Array.from({ length: size }, (_, i) => {
    const payload: Record<string, string | number | boolean> = {
      dossierCode: `56001-261125-${String(i % 10_000).padStart(4, '0')}`,
      procedureCode: `1.00${4000 + (i % 900)}`,
      channel: i % 3 === 0 ? 'online' : 'desk',
      crossBoundary: i % 7 === 0,
      applicantType: (i % 4) + 1,
    };
    let k = 0;
    while (JSON.stringify(payload).length < 1000)
      payload[`note${k++}`] = `Hồ sơ số ${i} — thành phần ${k} đã số hoá`;
    return payload;
  });
}

export function printTable(results: readonly BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${r.value.toLocaleString('en-US')} ${r.unit}`,
    r.baseline,
    `${r.baselineValue.toLocaleString('en-US')} ${r.unit}`,
    `${r.ratio.toFixed(2)}×`,
    r.p99Ms === undefined ? '' : `${r.p50Ms} / ${r.p99Ms}`,
  ]);
  const header = ['measure', 'value', 'baseline', 'baseline value', 'ratio', 'p50/p99 ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' │ ');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of rows) console.log(line(row));
}
