import type { RebuildProgress } from '@onestop/projection';
import { describe, expect, it } from 'vitest';
import { formatProgress, progressReporter } from './progress.js';

const at = (
  eventsRead: number,
  readThisRun: number,
  remaining: number,
  elapsedMs: number,
): RebuildProgress => ({
  generation: 'projection_g2',
  eventsRead,
  readThisRun,
  remaining,
  elapsedMs,
});

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

describe('replay progress', () => {
  it('given a resumed rebuild, then the bar counts every run and the rate and ETA only this one', () => {
    // 600 read before, 400 in this run in 2 s (200 ev/s); 1,000 to go: 5 s.
    expect(formatProgress(at(1_000, 400, 1_000, 2_000))).toBe(
      `[${'#'.repeat(15)}${'.'.repeat(15)}] 50.0% 1000/2000 events  200 ev/s  ETA 5s`,
    );
    expect(formatProgress(at(10, 10, 10_800, 1_000))).toContain('ETA 18m00s');
    expect(formatProgress(at(0, 0, 0, 0))).toContain('100.0% 0/0 events  0 ev/s  ETA ?');
  });

  it('given no terminal, then it writes a line at most every interval and the held-back last one at the end', () => {
    let now = 0;
    const { stream, text } = capture(false);
    const reporter = progressReporter(stream, () => now, 2_000);
    reporter.update(at(100, 100, 900, 500));
    now = 1_000;
    reporter.update(at(200, 200, 800, 1_000));
    now = 1_500;
    reporter.update(at(300, 300, 700, 1_500));
    reporter.done();
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('100/1000 events');
    expect(lines[1]).toContain('300/1000 events');
  });

  it('given a terminal, then it redraws one line and ends it', () => {
    const { stream, text } = capture(true);
    const reporter = progressReporter(stream, () => 0);
    reporter.update(at(1, 1, 1, 1_000));
    reporter.update(at(2, 2, 0, 1_000));
    reporter.done();
    expect(text().split('\r')).toHaveLength(3);
    expect(text().endsWith('ETA 0s\n')).toBe(true);
  });
});
