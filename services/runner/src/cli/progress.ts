/**
 * The replay's progress on stderr: a redrawn bar on a terminal, otherwise a line at most every few seconds
 * (logs and pipes). Events per second and the ETA are of this run.
 */
import type { RebuildProgress } from '@onestop/projection';

const WIDTH = 30;

function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function formatProgress(p: RebuildProgress): string {
  const total = p.eventsRead + p.remaining;
  const share = total === 0 ? 1 : p.eventsRead / total;
  const filled = Math.round(share * WIDTH);
  const rate = p.elapsedMs > 0 ? (p.readThisRun * 1000) / p.elapsedMs : 0;
  const eta = rate > 0 ? (p.remaining / rate) * 1000 : Number.POSITIVE_INFINITY;
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(1)}% ` +
    `${p.eventsRead}/${total} events  ${Math.round(rate)} ev/s  ETA ${duration(eta)}`
  );
}

export interface ProgressReporter {
  update(progress: RebuildProgress): void;
  /** Ends the bar's line on a terminal; elsewhere writes the last progress if it was held back. */
  done(): void;
}

/** Where the progress goes: stderr, or anything with `write` (and `isTTY` when it is a terminal). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export function progressReporter(
  stream: ProgressStream,
  now: () => number = Date.now,
  everyMs = 2_000,
): ProgressReporter {
  let drawn = false;
  let lastLine = Number.NEGATIVE_INFINITY;
  let held: RebuildProgress | undefined;
  return {
    update(progress) {
      if (stream.isTTY) {
        stream.write(`\r${formatProgress(progress)}`);
        drawn = true;
      } else if (now() - lastLine >= everyMs) {
        stream.write(`${formatProgress(progress)}\n`);
        lastLine = now();
        held = undefined;
      } else {
        held = progress;
      }
    },
    done() {
      if (drawn) stream.write('\n');
      if (held !== undefined) stream.write(`${formatProgress(held)}\n`);
      drawn = false;
      held = undefined;
    },
  };
}
