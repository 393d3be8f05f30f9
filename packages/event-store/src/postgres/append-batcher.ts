/**
 * Natural batching of appends: while one batch is being committed, further appends queue up and go out
 * together in the next transaction (one round trip, one fsync for all of them). An idle store sends an append at
 * once, so batching adds no latency; under load it turns N commits into one, which is what lets single-event
 * appends keep up with raw single-row INSERTs. Each append keeps its own outcome (see `append_batch`).
 */
import { type AppendResult, type EventToAppend, WrongExpectedVersion } from '../port.js';

export interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: number | 'no_stream' | 'any';
  /** Approximate size, to bound a batch. */
  readonly bytes: number;
  readonly data: readonly string[];
  readonly metadata: readonly string[];
  retries: number;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export type AppendOutcome =
  | { readonly status: 'ok' | 'duplicate'; readonly version: number }
  | { readonly status: 'wrong_version'; readonly version: number }
  | { readonly status: 'retry' };

/** Runs one batch (already in lock order) in one transaction; one outcome per append, same order. */
export type BatchRunner = (batch: readonly PendingAppend[]) => Promise<AppendOutcome[]>;

const maxRetries = 100;

export function settle(append: PendingAppend, outcome: AppendOutcome | undefined, requeue: () => void): void {
  if (outcome === undefined) {
    append.reject(new Error('append_batch returned fewer rows than appends'));
  } else if (outcome.status === 'ok' || outcome.status === 'duplicate') {
    append.resolve({ nextExpectedVersion: outcome.version });
  } else if (outcome.status === 'wrong_version') {
    append.reject(
      WrongExpectedVersion(
        `stream ${append.streamId}: expected version ${String(append.expected)}, actual ${outcome.version}`,
        { details: { streamId: append.streamId, expected: append.expected, actual: outcome.version } },
      ),
    );
  } else if (append.retries >= maxRetries) {
    append.reject(new Error(`stream ${append.streamId}: append kept losing the transaction order race`));
  } else {
    append.retries++;
    requeue();
  }
}

/** Stable sort by stream id: a fixed lock order, and appends to one stream keep their submission order. */
export function inLockOrder(batch: readonly PendingAppend[]): PendingAppend[] {
  return [...batch].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
}

export class AppendBatcher {
  private queue: PendingAppend[] = [];
  private inFlight = false;

  constructor(
    private readonly run: (batch: readonly PendingAppend[]) => Promise<void>,
    private readonly maxAppends: number,
    private readonly maxBytes: number,
  ) {}

  submit(append: PendingAppend): void {
    this.queue.push(append);
    if (!this.inFlight) void this.drain();
  }

  /** Puts a `retry` append at the head of the queue, so it goes out in the very next transaction. */
  requeue(append: PendingAppend): void {
    this.queue.unshift(append);
    if (!this.inFlight) void this.drain();
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.queue.length > 0) {
        let bytes = 0;
        let take = 0;
        while (take < this.queue.length && take < this.maxAppends) {
          const next = this.queue[take];
          if (next === undefined || (take > 0 && bytes + next.bytes > this.maxBytes)) break;
          bytes += next.bytes;
          take++;
        }
        const batch = this.queue.splice(0, take);
        // `run` settles every append itself (including on failure); it never throws.
        await this.run(batch);
        // Let the callers just settled submit their next append (they continue in microtasks), so it joins the
        // next batch instead of waiting for the whole batch after it. Costs one event-loop turn, only under load.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.inFlight = false;
    }
  }
}
