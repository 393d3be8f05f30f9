/**
 * KPI end to end in stack mode: 1,000 dossiers with a seeded random mix of procedures, units, receipt times and
 * outcomes (decided early / on time / late, with and without a supplement pause, extension with apology,
 * withdrawn, stopped, still open; some returned and rated) go through the real services over HTTP, behind the
 * gateway, with the test clock set to each step's business instant. The projection learns of them only through
 * Kafka. Its KPI counts per competent unit must equal those computed here from the scenarios themselves, with
 * the domain clock's working-time helpers (not the projection's code); then `pnpm onestop replay` rebuilds the
 * read models from the topic and the answers must not change.
 *
 * The business clock is one per process, so steps run in instant order: every step due at one instant runs
 * (dossiers in parallel) after the clock is set to it, before the clock moves on.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import {
  addWorkingTime,
  computeDueAt,
  localDateOf,
  vnCivilServiceCalendar,
  workingTimeBetween,
} from '@onestop/domain';
import { DOSSIER_EVENTS_TOPIC } from '@onestop/messaging';
import { signDevToken } from '@onestop/service-kit';
import { databaseUrl, kafkaBrokers } from '@onestop/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type LaunchedStack, launchStack } from './testing/launch-stack.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const SECRET = `kpi-e2e-${randomBytes(16).toString('hex')}`;
const PREFIX = `e2k${randomBytes(3).toString('hex')}_`;
const PROJECTION_SCHEMA = `${PREFIX}projection`;
const PROJECTION_GROUP = `${PREFIX}projection`;
const DOSSIERS = Number(process.env.KPI_E2E_DOSSIERS ?? 1_000);
const SEED = 20260201;
const CONCURRENCY = 12;
const calendar = vnCivilServiceCalendar;
const MINUTE = 60_000;
const SLOT = 30 * MINUTE;
/** Nothing happens after this; the KPIs are judged as of AS_OF. */
const LAST_STEP = Date.parse('2026-04-14T17:00:00+07:00');
const AS_OF = '2026-04-15T10:00:00+07:00';
const PERIODS = [
  { from: '2026-02-01', to: '2026-04-01' },
  { from: '2026-02-01', to: '2026-03-01' },
  { from: '2026-03-01', to: '2026-04-01' },
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Scenarios

/** mulberry32: a small seeded generator, so every run drives the same 1,000 dossiers. */
function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => {
      const item = list[Math.floor(next() * list.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    weighted: <T extends string>(weights: Readonly<Record<T, number>>): T => {
      const entries = Object.entries(weights) as Array<[T, number]>;
      let r = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [key, w] of entries) {
        r -= w;
        if (r < 0) return key;
      }
      return entries[entries.length - 1]?.[0] as T;
    },
  };
}

type Step =
  | { readonly kind: 'receive' }
  | { readonly kind: 'transfer' }
  | { readonly kind: 'request-supplement' }
  | { readonly kind: 'receive-supplement' }
  | { readonly kind: 'extend'; readonly newDueAt: string }
  | { readonly kind: 'decide'; readonly outcome: 'approved' | 'refused' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'withdraw' }
  | { readonly kind: 'return' }
  | { readonly kind: 'rate'; readonly rating: 1 | 2 | 3 | 4 };

interface Scenario {
  readonly index: number;
  readonly intent: string;
  readonly procedureCode: string;
  readonly receivingUnitId: string;
  readonly competentUnitId: string;
  readonly channel: 'desk' | 'online' | 'postal';
  /** Steps with their business instants (epoch ms), in order. */
  readonly steps: ReadonlyArray<{ readonly at: number; readonly step: Step }>;
}

const WARDS = [demoUnitIds.nhaTrangWard, demoUnitIds.camRanhWard, demoUnitIds.phanRangWard] as const;
const WARD_CENTRES: Record<string, string> = {
  [demoUnitIds.nhaTrangWard]: demoUnitIds.nhaTrangCentre,
  [demoUnitIds.camRanhWard]: demoUnitIds.camRanhCentre,
  [demoUnitIds.phanRangWard]: demoUnitIds.phanRangCentre,
};

/** Working days of Feb–Mar 2026 (Tết, 16–20 Feb, is off). */
function workingDays(): string[] {
  const days: string[] = [];
  for (
    let ms = Date.parse('2026-02-02T00:00:00Z');
    ms <= Date.parse('2026-03-31T00:00:00Z');
    ms += 86_400_000
  ) {
    const day = new Date(ms).toISOString().slice(0, 10);
    if (calendar.isWorkingDay(day)) days.push(day);
  }
  return days;
}

/**
 * Receipt times: every half hour of working time, 5 minutes past. A step happens a few ms after the instant the
 * test clock was set to (it keeps ticking); off the half-hour grid, no due lands on 11:30 or 17:00, where those
 * ms would move it to the next working period (possibly the next day, which changes early / on time).
 */
const SLOTS = ['07', '08', '09', '10', '14', '15', '16']
  .flatMap((h) => [`${h}:05`, `${h}:35`])
  .concat(['11:05', '13:35']);
const at = (day: string, hm: string) => Date.parse(`${day}T${hm}:00+07:00`);
const plusWorking = (from: number, ms: number) => addWorkingTime(new Date(from), ms, calendar).getTime();
const working = (from: number, to: number) => workingTimeBetween(new Date(from), new Date(to), calendar);
const dateOf = (ms: number) => localDateOf(new Date(ms));

/** Instants every half hour of working time after `from`, before `until`. */
function slotsBetween(from: number, until: number): number[] {
  const out: number[] = [];
  for (let t = plusWorking(from, SLOT); t < until; t = plusWorking(t, SLOT)) out.push(t);
  return out;
}

function generate(count: number): Scenario[] {
  const rnd = seeded(SEED);
  const days = workingDays();
  const procedures = demoCatalog.procedures();
  const scenarios: Scenario[] = [];
  for (let index = 0; index < count; index++) {
    const procedure = rnd.pick(procedures);
    const wardProcedure = procedure.competentUnitIds.every((u) => (WARDS as readonly string[]).includes(u));
    const competentUnitId = wardProcedure
      ? rnd.pick(procedure.competentUnitIds)
      : procedure.competentUnitIds[0];
    if (competentUnitId === undefined) throw new Error(`procedure ${procedure.code} has no competent unit`);
    const crossBoundary = !wardProcedure && procedure.crossBoundaryEligible && rnd.next() < 0.15;
    const receivingUnitId = wardProcedure
      ? (WARD_CENTRES[competentUnitId] ?? demoUnitIds.provincialCentre)
      : crossBoundary
        ? (WARD_CENTRES[rnd.pick(WARDS)] ?? demoUnitIds.provincialCentre)
        : demoUnitIds.provincialCentre;
    const day = rnd.pick(days);
    // Online dossiers may arrive outside working time: the clock starts at the next working-time start.
    const offHours = rnd.next() < 0.08;
    const channel = offHours ? 'online' : rnd.weighted({ desk: 6, online: 3, postal: 1 });
    const received = offHours
      ? at(day, rnd.pick(['06:00', '12:00', '18:30', '21:00']))
      : at(day, rnd.pick(SLOTS));
    const { startAt, dueAt } = computeDueAt({
      receivedAt: new Date(received),
      limit: procedure.limit,
      calendar,
    });
    const start = startAt.getTime();
    const base = dueAt.getTime();

    const steps: Array<{ at: number; step: Step }> = [
      { at: received, step: { kind: 'receive' } },
      { at: received, step: { kind: 'transfer' } },
    ];
    const intent = rnd.weighted({
      early: 16,
      onTime: 12,
      late: 14,
      pausedEarly: 6,
      pausedOnTime: 5,
      pausedLate: 6,
      extended: 9,
      withdrawn: 8,
      stopped: 7,
      open: 12,
      openPaused: 5,
    });
    const span = Math.max(SLOT, working(start, base));
    let last = Math.max(received, start);
    let due = base;
    // Outside working time the clock starts on the grid: a pause's few ms could move a due at 17:00 to the next day.
    if ((intent.startsWith('paused') || intent === 'openPaused') && !offHours) {
      const requested = plusWorking(start, Math.max(1, rnd.int(1, Math.floor(span / SLOT))) * SLOT);
      const answered = plusWorking(requested, rnd.int(1, 24) * SLOT);
      if (answered <= LAST_STEP) {
        steps.push({ at: requested, step: { kind: 'request-supplement' } });
        steps.push({ at: answered, step: { kind: 'receive-supplement' } });
        due = plusWorking(base, working(requested, answered));
        last = answered;
      }
    }
    let end: { at: number; step: Step } | undefined;
    const decide = (t: number): { at: number; step: Step } => ({
      at: t,
      step: { kind: 'decide', outcome: rnd.next() < 0.1 ? 'refused' : 'approved' },
    });
    const decided = ['early', 'onTime', 'late', 'pausedEarly', 'pausedOnTime', 'pausedLate'].includes(intent);
    const dueDay = at(dateOf(due), '00:00');
    if (intent === 'early' || intent === 'pausedEarly') {
      // Decided on a day before the due's day (none when the due is on the clock's first day).
      const candidates = slotsBetween(last, dueDay);
      if (candidates.length > 0) end = decide(rnd.pick(candidates));
    }
    if (decided && end === undefined && !intent.endsWith('ate')) {
      // Decided on the due's day, before the due: never at the due itself, as a step happens a few ms after
      // the instant the test clock was set to (it keeps ticking), which would make it late.
      const candidates = slotsBetween(last, due).filter((t) => dateOf(t) === dateOf(due));
      if (candidates.length > 0) end = decide(rnd.pick(candidates));
    }
    if (decided && end === undefined) end = decide(plusWorking(Math.max(due, last), rnd.int(1, 40) * SLOT));
    if (intent === 'extended' && span >= 2 * SLOT) {
      const apologisedAt = rnd.pick(slotsBetween(last, base));
      const newDueAt = plusWorking(base, rnd.int(1, 6) * 8 * 60 * MINUTE);
      steps.push({ at: apologisedAt, step: { kind: 'extend', newDueAt: new Date(newDueAt).toISOString() } });
      last = apologisedAt;
      // Decided after the statutory due, before the appointment: late by statute, with an apology.
      const candidates = slotsBetween(Math.max(last, base), newDueAt);
      if (candidates.length > 0) end = decide(rnd.pick(candidates));
    } else if (intent === 'extended') {
      end = decide(plusWorking(last, SLOT));
    }
    if (intent === 'withdrawn' || intent === 'stopped') {
      const drawn = plusWorking(last, rnd.int(1, Math.ceil((span * 1.5) / SLOT)) * SLOT);
      const t = drawn === due ? plusWorking(drawn, SLOT) : drawn;
      end = { at: t, step: intent === 'withdrawn' ? { kind: 'withdraw' } : { kind: 'stop' } };
    }
    if (end !== undefined && end.at <= LAST_STEP) {
      steps.push(end);
      if (end.step.kind === 'decide' && end.step.outcome === 'approved' && rnd.next() < 0.4) {
        const handed = plusWorking(end.at, rnd.int(1, 16) * SLOT);
        if (handed <= LAST_STEP) {
          steps.push({ at: handed, step: { kind: 'return' } });
          steps.push({
            at: handed,
            step: { kind: 'rate', rating: rnd.pick([1, 1, 2, 2, 2, 3, 4] as const) },
          });
        }
      }
    }
    scenarios.push({
      index,
      intent,
      procedureCode: procedure.code,
      receivingUnitId,
      competentUnitId,
      channel,
      steps,
    });
  }
  return scenarios;
}

// ---------------------------------------------------------------------------------------------------------------
// What the KPIs must be, from the scenarios (DOMAIN.md section 5), with the domain's working-time helpers

interface Counts {
  received: number;
  ended: number;
  early: number;
  onTime: number;
  late: number;
  inTime: number;
  overdue: number;
}

const zero = (): Counts => ({ received: 0, ended: 0, early: 0, onTime: 0, late: 0, inTime: 0, overdue: 0 });

type Expected = 'early' | 'onTime' | 'late' | 'inTime' | 'overdue';

/** The classification of one dossier as of AS_OF against its statutory due (DOMAIN.md section 5). */
function expectedOf(s: Scenario): { classification: Expected; dueMs: number } {
  const asOf = Date.parse(AS_OF);
  const receivedAt = s.steps[0]?.at ?? Number.NaN;
  const procedure = demoCatalog.procedure(s.procedureCode);
  const { dueAt } = computeDueAt({ receivedAt: new Date(receivedAt), limit: procedure.limit, calendar });
  const when = (kind: Step['kind']) => s.steps.find((x) => x.step.kind === kind)?.at;
  const end = [when('decide'), when('stop'), when('withdraw')].find((t) => t !== undefined);
  const requested = when('request-supplement');
  const answered = when('receive-supplement');
  // The clock stands still from the request to the answer (both are in every paused scenario).
  const paused = requested !== undefined && answered !== undefined ? working(requested, answered) : 0;
  const due = plusWorking(dueAt.getTime(), paused);
  if (end === undefined) return { classification: due >= asOf ? 'inTime' : 'overdue', dueMs: due };
  if (end > due) return { classification: 'late', dueMs: due };
  return { classification: dateOf(end) < dateOf(due) ? 'early' : 'onTime', dueMs: due };
}

function inPeriod(s: Scenario, unitId: string, period: { from: string; to: string }): boolean {
  const receivedAt = s.steps[0]?.at ?? Number.NaN;
  return (
    s.competentUnitId === unitId &&
    receivedAt >= at(period.from, '00:00') &&
    receivedAt < at(period.to, '00:00')
  );
}

function expectedCounts(
  scenarios: readonly Scenario[],
  unitId: string,
  period: { from: string; to: string },
) {
  const counts = zero();
  for (const s of scenarios) {
    if (!inPeriod(s, unitId, period)) continue;
    const { classification } = expectedOf(s);
    counts.received++;
    counts[classification]++;
    if (classification !== 'inTime' && classification !== 'overdue') counts.ended++;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// The stack

let launched: LaunchedStack | undefined;
/** The shared topic's end before this stack started: the replay starts there (older history is not ours). */
let topicStart: Record<number, number> = {};

async function topicEnds(): Promise<Record<number, number>> {
  const admin = new Kafka({
    clientId: 'kpi-e2e',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(DOSSIER_EVENTS_TOPIC);
    return Object.fromEntries(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

function stack(): LaunchedStack {
  if (launched === undefined) throw new Error('the stack is not running');
  return launched;
}

let bearer = '';
let requests = 0;

async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  requests++;
  const response = await fetch(`${stack().gateway}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      authorization: `Bearer ${bearer}`,
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: response.status, body: parsed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A command that needs another service's reaction first (the case opens when processing consumes the transfer;
 * the desk has the result when result-return consumes it): retried, at the same business instant, until then.
 */
async function commandAfterReaction(path: string, body: unknown, waitingFor: number[]) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await call('POST', path, body);
    if (answer.status === 200 || answer.status === 201) return answer;
    if (!waitingFor.includes(answer.status) || Date.now() > deadline) {
      throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await sleep(100);
  }
}

const dossierIds = new Map<number, string>();

async function runStep(s: Scenario, step: Step) {
  const id = dossierIds.get(s.index) ?? '';
  const expectOk = (what: string, answer: { status: number; body: unknown }) => {
    if (answer.status !== 200 && answer.status !== 201) {
      throw new Error(
        `dossier ${s.index} (${s.intent}) ${what}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    return answer;
  };
  const processing = (command: string, body: unknown) =>
    commandAfterReaction(`/v1/processing/cases/${id}/${command}`, body, [404, 503]);
  switch (step.kind) {
    case 'receive': {
      const procedure = demoCatalog.procedure(s.procedureCode);
      const answer = expectOk(
        'receive',
        await call(
          'POST',
          '/v1/intake/dossiers',
          {
            procedureCode: s.procedureCode,
            channel: s.channel,
            receivingUnitId: s.receivingUnitId,
            competentUnitId: s.competentUnitId,
            applicant: {
              type: 1,
              fullName: `Người nộp ${s.index}`,
              idNumber: `0561${String(s.index).padStart(8, '0')}`,
            },
            components: procedure.components.map((c) => ({ code: c.code, provided: true })),
          },
          { 'idempotency-key': `${PREFIX}${s.index}` },
        ),
      );
      dossierIds.set(s.index, z.object({ dossierId: z.string() }).parse(answer.body).dossierId);
      return;
    }
    case 'transfer':
      expectOk(
        'transfer',
        await call('POST', `/v1/intake/dossiers/${id}/transfer`, {
          toUnitId: s.competentUnitId,
          channel: 'electronic',
        }),
      );
      return;
    case 'withdraw':
      expectOk(
        'withdraw',
        await call('POST', `/v1/intake/dossiers/${id}/withdraw`, { reason: 'Người nộp rút hồ sơ' }),
      );
      return;
    case 'request-supplement':
      await processing('request-supplement', { reason: 'Thiếu bản sao giấy tờ' });
      return;
    case 'receive-supplement':
      await processing('receive-supplement', {});
      return;
    case 'extend':
      await processing('extend', { newDueAt: step.newDueAt, reason: 'Chờ xác minh liên ngành' });
      return;
    case 'stop':
      await processing('stop', { reason: 'Hồ sơ không hợp lệ' });
      return;
    case 'decide':
      await processing(
        'decide',
        step.outcome === 'approved'
          ? { outcome: 'approved' }
          : { outcome: 'refused', reason: 'Không đủ điều kiện' },
      );
      return;
    case 'return':
      await commandAfterReaction(`/v1/return/dossiers/${id}/return`, { channel: 'desk' }, [404, 409]);
      return;
    case 'rate':
      expectOk('rate', await call('POST', `/v1/return/dossiers/${id}/rate`, { rating: step.rating }));
      return;
  }
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function setClock(ms: number) {
  const answer = await call('POST', '/v1/dev/clock', { now: new Date(ms).toISOString() });
  if (answer.status !== 200) throw new Error(`clock: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** Relays have published everything and the projection's consumer stands at the topic's end. */
async function projectionCaughtUp(db: pg.Client): Promise<boolean> {
  // Every service with a relay (the web server has none: it writes no events).
  for (const service of stack().services.filter((s) => s.name !== 'projection' && s.name !== 'web')) {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const lag = /^onestop_relay_lag_events (\d+)$/m.exec(metrics)?.[1];
    if (lag !== '0') return false;
  }
  const ends = await topicEnds();
  const { rows } = await db.query<{ partition: number; next_offset: string }>(
    `select partition, next_offset from "${PROJECTION_SCHEMA}".consumer_offsets where consumer = $1 and topic = $2`,
    [PROJECTION_GROUP, DOSSIER_EVENTS_TOPIC],
  );
  const offsets = new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
  return Object.entries(ends).every(
    ([p, end]) => end <= (topicStart[Number(p)] ?? 0) || offsets.get(Number(p)) === end,
  );
}

const DrillPage = z.object({
  total: z.number(),
  items: z.array(
    z.object({
      dossierId: z.string(),
      classification: z.string(),
      statutoryDueAt: z.string(),
      endedAt: z.string().nullable(),
    }),
  ),
});

/** On a mismatch: the dossiers whose classification differs, with their steps (for the failure report). */
async function explain(scenarios: readonly Scenario[], unitId: string, period: { from: string; to: string }) {
  const byId = new Map([...dossierIds].map(([index, id]) => [id, scenarios[index]]));
  const renamed: Record<string, string> = { on_time: 'onTime', in_time: 'inTime' };
  for (let page = 1; ; page++) {
    const query = new URLSearchParams({ ...period, asOf: AS_OF, page: String(page), pageSize: '500' });
    const answer = DrillPage.parse((await call('GET', `/v1/kpi/units/${unitId}/dossiers?${query}`)).body);
    for (const item of answer.items) {
      const s = byId.get(item.dossierId);
      const mine = s === undefined ? undefined : expectedOf(s);
      const theirs = renamed[item.classification] ?? item.classification;
      if (mine?.classification === theirs) continue;
      process.stdout.write(
        `MISMATCH ${item.dossierId}: projection ${theirs} (due ${item.statutoryDueAt}, ended ${item.endedAt}), ` +
          `expected ${mine?.classification} (due ${mine === undefined ? '?' : new Date(mine.dueMs).toISOString()}) ` +
          `${JSON.stringify(s?.steps.map((x) => [new Date(x.at).toISOString(), x.step]))} ${s?.procedureCode}\n`,
      );
    }
    if (page * 500 >= answer.total) return;
  }
}

const KPI_FIELDS = ['received', 'ended', 'early', 'onTime', 'late', 'inTime', 'overdue'] as const;

async function kpiAnswers(units: readonly string[]) {
  const answers: Record<string, Record<string, unknown>> = {};
  for (const period of PERIODS) {
    for (const unitId of units) {
      const query = new URLSearchParams({ ...period, asOf: AS_OF });
      const answer = await call('GET', `/v1/kpi/units/${unitId}?${query}`);
      if (answer.status !== 200)
        throw new Error(`kpi ${unitId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      answers[`${period.from}..${period.to} ${unitId}`] = answer.body as Record<string, unknown>;
    }
  }
  return answers;
}

const KpiCounts = z.object({
  received: z.number(),
  ended: z.number(),
  early: z.number(),
  onTime: z.number(),
  late: z.number(),
  inTime: z.number(),
  overdue: z.number(),
});

function countsOf(answer: unknown): Counts {
  const { received, ended, early, onTime, late, inTime, overdue } = KpiCounts.parse(answer);
  return { received, ended, early, onTime, late, inTime, overdue };
}

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  topicStart = await topicEnds();
  launched = await launchStack({ prefix: PREFIX, secret: SECRET, portsFrom: 22_000 });
  bearer = await signDevToken({ sub: 'kpi-e2e', roles: ['admin', 'clerk', 'specialist', 'leader'] }, SECRET);
}, 100_000);

afterAll(async () => {
  await launched?.stop();
}, 60_000);

describe(`KPIs of ${DOSSIERS} generated dossiers in stack mode`, () => {
  const scenarios = generate(DOSSIERS);
  const units = [...new Set(scenarios.map((s) => s.competentUnitId))].sort();
  let live: Record<string, Record<string, unknown>> = {};

  it('given the scenarios driven over HTTP, when the projection has consumed them, then its KPI counts equal those computed from the scenarios', async () => {
    expect(stack().services.map((s) => s.name)).toContain('projection');
    const intents: Record<string, number> = {};
    for (const s of scenarios) intents[s.intent] = (intents[s.intent] ?? 0) + 1;
    process.stdout.write(`scenarios by intent: ${JSON.stringify(intents)}\n`);

    // Every step, grouped by business instant; one dossier's steps at one instant stay in order.
    const byInstant = new Map<number, Map<number, Step[]>>();
    for (const s of scenarios) {
      for (const { at: t, step } of s.steps) {
        const group = byInstant.get(t) ?? new Map<number, Step[]>();
        group.set(s.index, [...(group.get(s.index) ?? []), step]);
        byInstant.set(t, group);
      }
    }
    const instants = [...byInstant.keys()].sort((a, b) => a - b);
    const started = Date.now();
    let steps = 0;
    for (const instant of instants) {
      await setClock(instant);
      const group = [...(byInstant.get(instant) ?? new Map<number, Step[]>())];
      await inParallel(group, CONCURRENCY, async ([index, list]) => {
        const s = scenarios[index];
        if (s === undefined) return;
        for (const step of list) {
          await runStep(s, step);
          steps++;
        }
      });
    }
    const drivenMs = Date.now() - started;
    process.stdout.write(
      `drove ${DOSSIERS} dossiers: ${steps} steps at ${instants.length} instants, ${requests} HTTP requests in ` +
        `${(drivenMs / 1000).toFixed(1)} s (${Math.round((requests * 1000) / drivenMs)} req/s)\n`,
    );
    await setClock(Date.parse(AS_OF));

    const db = new pg.Client({ connectionString: databaseUrl() });
    await db.connect();
    try {
      const deadline = Date.now() + 120_000;
      while (!(await projectionCaughtUp(db))) {
        if (Date.now() > deadline) throw new Error('the projection did not catch up in 120 s');
        await sleep(500);
      }
    } finally {
      await db.end();
    }
    process.stdout.write(
      `projection caught up ${((Date.now() - started - drivenMs) / 1000).toFixed(1)} s after the last step\n`,
    );

    live = await kpiAnswers(units);
    const rows: string[] = [];
    for (const period of PERIODS) {
      for (const unitId of units) {
        const key = `${period.from}..${period.to} ${unitId}`;
        const expected = expectedCounts(scenarios, unitId, period);
        const actual = countsOf(live[key]);
        rows.push(
          `${key.padEnd(44)} ${KPI_FIELDS.map((f) => `${f} ${actual[f]}/${expected[f]}`).join('  ')}`,
        );
        if (JSON.stringify(actual) !== JSON.stringify(expected)) await explain(scenarios, unitId, period);
        expect({ key, ...actual }).toEqual({ key, ...expected });
      }
    }
    process.stdout.write(`KPI (endpoint/expected), as of ${AS_OF}:\n${rows.join('\n')}\n`);
    const whole = units.map((u) => expectedCounts(scenarios, u, PERIODS[0]));
    const total = whole.reduce((sum, c) => sum + c.received, 0);
    expect(total).toBe(DOSSIERS);
    // The mix is a mix: every count is non-zero somewhere.
    for (const field of KPI_FIELDS)
      expect(
        whole.some((c) => c[field] > 0),
        field,
      ).toBe(true);
  }, 540_000);

  it('when the projection is replayed from the topic (stack mode), then it switches to the new tables and every KPI answer is the same', async () => {
    expect(Object.keys(live).length).toBeGreaterThan(0);
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'services/runner/src/cli.ts',
        'replay',
        '--database-url',
        databaseUrl(),
        '--schema',
        PROJECTION_SCHEMA,
        '--brokers',
        kafkaBrokers().join(','),
        '--group',
        PROJECTION_GROUP,
        '--start-at',
        Object.entries(topicStart)
          .map(([p, o]) => `${p}:${o}`)
          .join(','),
        '--json',
      ],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
    );
    const result = z
      .object({
        status: z.string(),
        generation: z.string(),
        previousGeneration: z.string(),
        eventsRead: z.number(),
        counts: z.object({ dossiers: z.number() }),
      })
      .parse(JSON.parse(stdout));
    process.stdout.write(`replay: ${JSON.stringify(result)}\n`);
    expect(result.status).toBe('switched');
    expect(result.generation).not.toBe(result.previousGeneration);
    expect(result.counts.dossiers).toBeGreaterThanOrEqual(DOSSIERS);

    const replayed = await kpiAnswers(units);
    expect(replayed).toEqual(live);
  }, 180_000);
});
