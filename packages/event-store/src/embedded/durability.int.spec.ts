/**
 * kill -9 test: a child runs 8 concurrent appenders (so appends share group commits) and prints every
 * acknowledged eventId; the parent SIGKILLs it mid-stream, reopens the file and requires every acknowledged
 * event to be there, every append whole, streams dense.
 * (kill -9 keeps the OS page cache, so this proves the commit protocol and recovery, not the fsync itself;
 * the fsync per commit was checked with strace, see docs/decisions/0002-embedded-store.md.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedEventStore } from './embedded-event-store.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../../..');
const child = join(here, 'durability', 'append-forever.child.ts');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the child until it has acknowledged `minAcks` events, SIGKILLs it, returns every acked eventId and the
 * number of appends of each commit the child reported.
 */
function appendThenKill(
  dataDir: string,
  minAcks: number,
): Promise<{ acked: string[]; commits: number[]; signal: string | null }> {
  return new Promise((resolveRun, reject) => {
    // tsx as a loader inside one node process: the `tsx` CLI would run the script in a grandchild, which
    // SIGKILL of the CLI would leave running.
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    const commits: number[] = [];
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      if (line === 'ready') return;
      if (line.startsWith('commit ')) {
        commits.push(Number(line.slice('commit '.length)));
        return;
      }
      acked.push(line);
      if (acked.length >= minAcks && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child acknowledged only ${acked.length} events in time; stderr: ${stderr}`));
    }, 12_000);
    // 'close' fires after stdout is drained, so lines already written before the kill are counted.
    proc.on('close', (_code, signal) => {
      clearTimeout(timer);
      resolveRun({ acked, commits, signal });
    });
    proc.on('error', reject);
  });
}

describe('embedded store durability', () => {
  it('given 8 concurrent appenders killed with SIGKILL mid-append, when the file is reopened, then every acknowledged event is there and streams are dense', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onestop-kill-'));
    dirs.push(dataDir);

    const { acked, commits, signal } = await appendThenKill(dataDir, 2_000);

    expect(signal).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(2_000);
    // The acknowledged appends went out in group commits, not one commit each.
    expect(Math.max(...commits)).toBeGreaterThan(1);
    const store = embeddedEventStore({ dataDir });
    try {
      const { events } = await store.readAll();
      const stored = new Set(events.map((e) => e.eventId));
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
      // An append is atomic: the stored events form whole appends (1 or 3 events), never a torn one.
      const perAppend = new Map<string, number>();
      for (const e of events) {
        const appendId = e.eventId.split('.')[0] ?? '';
        perAppend.set(appendId, (perAppend.get(appendId) ?? 0) + 1);
      }
      for (const [appendId, count] of perAppend) {
        expect([appendId, count]).toEqual([appendId, Number(appendId.split('-')[1]) % 2 === 0 ? 1 : 3]);
      }
      const versions = new Map<string, number[]>();
      for (const e of events)
        versions.set(e.streamId, [...(versions.get(e.streamId) ?? []), e.streamVersion]);
      for (const streamVersions of versions.values()) {
        expect(streamVersions).toEqual(streamVersions.map((_, i) => i));
      }
      // The file still takes writes after the crash.
      await store.appendToStream('after-crash', [{ eventId: 'after', type: 'Recovered', data: {} }], {
        expectedVersion: 'no_stream',
      });
      expect((await store.readStream('after-crash')).map((e) => e.type)).toEqual(['Recovered']);
    } finally {
      await store.close();
    }
  }, 20_000);
});
