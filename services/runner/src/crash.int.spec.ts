/**
 * kill -9 in the middle of a burst of receipts: `pnpm start`'s server is killed while 8 clients send 200
 * receipts, started again on the same data, and every receipt without an answer is sent again with its key.
 * Every acknowledged receipt must exist exactly once, with the code it was given, and the 200 receipts must end
 * as 200 dossiers with 200 distinct codes, each remembered once by the bus.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { parseDossierCode } from '@onestop/domain';
import { embeddedEventStore } from '@onestop/event-store';
import { ReceiveResponse } from '@onestop/intake';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Client, client, criminalRecordReceipt, waitFor } from './testing/client.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const JWT_SECRET = 'crash-spec-secret-0123456789abcdef0123456789';
const CENTRE = demoUnitIds.nhaTrangCentre;
const JUSTICE = demoUnitIds.justice;
const RECEIPTS = 200;
const CONCURRENCY = 8;
/** Killed once this many receipts have been answered: well inside the burst. */
const KILL_AFTER = 70;
const KILL_DELAY_MS = 25;

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** Resolves when the child has exited (at once if it already has: its 'exit' event will not come again). */
async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * `node --import tsx main.ts` rather than `pnpm start`: pnpm and tsx's CLI would each put a wrapper process
 * between the test and the server, and SIGKILL must reach the server itself.
 */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; api: Client }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/runner/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ONESTOP_DATA_DIR: dataDir,
      PORT: '0',
      ONESTOP_TEST_CLOCK: '1',
      JWT_SECRET,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const address = await new Promise<string>((resolveAddress, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveAddress(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  const api = client(address, JWT_SECRET);
  // Each process starts its test clock afresh; both run on the same reception day.
  expect((await api.post('/v1/dev/clock', { now: '2026-03-09T09:00:00+07:00' })).status).toBe(200);
  return { child, api };
}

interface Acknowledged {
  readonly dossierId: string;
  readonly dossierCode: string;
  readonly status: number;
}

const keyOf = (i: number) => `burst-${i}`;
const bodyOf = (i: number) => criminalRecordReceipt(CENTRE, JUSTICE, i);

async function receive(api: Client, token: string, i: number): Promise<Acknowledged> {
  const reply = await api.post('/v1/intake/dossiers', bodyOf(i), token, { 'idempotency-key': keyOf(i) });
  if (reply.status !== 201 && reply.status !== 200) {
    throw new Error(`receipt ${i}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  const { dossierId, dossierCode } = ReceiveResponse.parse(reply.body);
  return { dossierId, dossierCode, status: reply.status };
}

const Count = z.object({ n: z.number().int() });
const TypeCount = z.object({ type: z.string(), n: z.number().int() });

describe('kill -9 during a burst of receipts', () => {
  it(`given ${RECEIPTS} receipts sent ${CONCURRENCY} at a time, when the server is killed mid-burst and restarted and the unanswered ones are sent again, then every acknowledged receipt exists exactly once and there are ${RECEIPTS} dossiers with distinct codes`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'onestop-crash-'));
    dirs.push(dataDir);

    // --- the burst, and the kill ---------------------------------------------------------------------------
    const first = await startServer(dataDir);
    const token = await first.api.token('clerk', CENTRE, 'clerk-burst');
    const acknowledged = new Map<number, Acknowledged>();
    const sent = new Set<number>();
    let next = 0;
    let killScheduled = false;
    let killed = false;
    const worker = async () => {
      while (!killed && next < RECEIPTS) {
        const i = next++;
        sent.add(i);
        try {
          acknowledged.set(i, await receive(first.api, token, i));
        } catch (error) {
          // Only a connection cut by the kill is expected; an answer other than 200/201 is a failure.
          if (!killed) throw error;
          continue;
        }
        if (acknowledged.size >= KILL_AFTER && !killScheduled) {
          killScheduled = true;
          // Not right on an answer: a few ms later, with the other requests at whatever step they are.
          setTimeout(() => {
            killed = true;
            first.child.kill('SIGKILL');
          }, KILL_DELAY_MS);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    const beforeKill = new Map(acknowledged);
    const inFlight = [...sent].filter((i) => !beforeKill.has(i));
    const left = await typeCounts(dataDir);
    process.stdout.write(
      `[crash] left by the kill: ${left.IdempotencyKeyClaimed ?? 0} keys claimed, ` +
        `${left.DossierCodeDrawn ?? 0} codes drawn, ${left.DossierReceived ?? 0} dossiers received\n`,
    );
    // Nothing acknowledged was lost: the store had every answered receipt when the process died.
    expect(left.DossierReceived ?? 0).toBeGreaterThanOrEqual(beforeKill.size);

    // --- restart, and the retries ----------------------------------------------------------------------------
    const second = await startServer(dataDir);
    const unanswered = Array.from({ length: RECEIPTS }, (_, i) => i).filter((i) => !beforeKill.has(i));
    let cursor = 0;
    const retryWorker = async () => {
      while (cursor < unanswered.length) {
        const i = unanswered[cursor++] ?? 0;
        acknowledged.set(i, await receive(second.api, token, i));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, retryWorker));
    // A retry that answers 200 found its receipt done before the kill, its answer lost with the connection.
    const replayed = unanswered.filter((i) => acknowledged.get(i)?.status === 200).length;
    process.stdout.write(
      `[crash] acknowledged before kill: ${beforeKill.size}; in flight at the kill: ${inFlight.length}; ` +
        `never sent: ${RECEIPTS - sent.size}; retried: ${unanswered.length} ` +
        `(of which already done before the kill: ${replayed})\n`,
    );
    expect(beforeKill.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(beforeKill.size).toBeLessThan(RECEIPTS);
    expect(acknowledged.size).toBe(RECEIPTS);

    // Each receipt acknowledged before the kill is still the same dossier with the same code: its key answers
    // with it again, and intake shows it.
    for (const [i, ack] of beforeKill) {
      const again = await receive(second.api, token, i);
      expect(again).toEqual({ ...ack, status: 200 });
    }
    const clerk = await second.api.token('clerk', CENTRE);
    for (const ack of [...beforeKill.values()].slice(0, 20)) {
      const view = await second.api.get(`/v1/intake/dossiers/${ack.dossierId}`, clerk);
      expect(view.body).toMatchObject({ dossierId: ack.dossierId, dossierCode: ack.dossierCode, status: 2 });
    }
    // The bus has remembered every receipt.
    const Ready = z.object({ checks: z.object({ bus: z.object({ ok: z.boolean(), detail: z.string() }) }) });
    const bus = await waitFor('the bus to catch up', async () => {
      const parsed = Ready.safeParse((await second.api.get('/health/ready')).body);
      return parsed.success && parsed.data.checks.bus.detail.includes('lag 0 ')
        ? parsed.data.checks.bus
        : undefined;
    });
    expect(bus.ok).toBe(true);
    second.child.kill('SIGTERM');
    await exited(second.child);
    expect(second.child.exitCode).toBe(0);

    // --- the store, read directly --------------------------------------------------------------------------
    const store = embeddedEventStore({ dataDir });
    try {
      const received = await store.query<{ dossier_id: string; code: string }>(
        `SELECT json_extract(metadata, '$.dossierId') AS dossier_id, json_extract(data, '$.dossierCode') AS code
           FROM events WHERE type = 'DossierReceived'`,
      );
      const ids = new Set(received.rows.map((r) => r.dossier_id));
      const codes = new Set(received.rows.map((r) => r.code));
      const remembered = Count.parse(
        (await store.query('SELECT count(*) AS n FROM processing_received_dossiers')).rows[0],
      ).n;
      process.stdout.write(
        `[crash] final: ${received.rows.length} dossiers, ${codes.size} distinct codes, ` +
          `${remembered} remembered by processing; highest sequence ${Math.max(...[...codes].map((c) => parseDossierCode(c).sequence))}\n`,
      );
      expect(received.rows).toHaveLength(RECEIPTS);
      expect(ids.size).toBe(RECEIPTS);
      expect(codes.size).toBe(RECEIPTS);
      expect(ids).toEqual(new Set([...acknowledged.values()].map((a) => a.dossierId)));
      expect(codes).toEqual(new Set([...acknowledged.values()].map((a) => a.dossierCode)));
      expect(remembered).toBe(RECEIPTS);
    } finally {
      await store.close();
    }
  });
});

/** Events per type in the store of `dataDir`, read directly while no server runs. */
async function typeCounts(dataDir: string): Promise<Record<string, number>> {
  const store = embeddedEventStore({ dataDir });
  try {
    const { rows } = await store.query('SELECT type, count(*) AS n FROM events GROUP BY type');
    return Object.fromEntries(rows.map((row) => TypeCount.parse(row)).map((row) => [row.type, row.n]));
  } finally {
    await store.close();
  }
}
