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

/**
 * Runs one batch and settles every append in it; never throws. It calls `committed` once the transaction has
 * ended, before it settles the appends, so the batcher can take the batch's slot back first.
 */
export type BatchSender = (batch: readonly PendingAppend[], committed: () => void) => Promise<void>;

/**
 * Queues appends and sends them in batches, at most `maxInFlight` batches at a time. Batches side by side finish
 * sooner than one batch of everything: the server runs them on separate cores and flushes their commits to disk
 * together. An append never goes out while an earlier append to the same stream is in flight, so appends to one
 * stream keep their submission order.
 */
export class AppendBatcher {
  private queue: PendingAppend[] = [];
  private inFlight = 0;
  /** Appends in flight per stream id. */
  private readonly busy = new Map<string, number>();
  /** A dispatch is already scheduled (as a microtask, or after the settling of a batch). */
  private scheduled = false;

  constructor(
    private readonly run: BatchSender,
    private readonly maxAppends: number,
    private readonly maxBytes: number,
    private readonly maxInFlight: number,
  ) {}

  submit(append: PendingAppend): void {
    this.queue.push(append);
    this.schedule();
  }

  /** Puts a `retry` append at the head of the queue, so it goes out in the very next transaction. */
  requeue(append: PendingAppend): void {
    this.queue.unshift(append);
    this.schedule();
  }

  /**
   * Dispatches in a microtask, so appends submitted in the same turn (e.g. by `Promise.all`) share a batch. An idle
   * store still sends at once: a microtask is not a timer.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    queueMicrotask(() => this.dispatch());
  }

  private dispatch(): void {
    this.scheduled = false;
    // Spread what is queued over the free slots (see the class comment).
    const share = Math.ceil(this.queue.length / Math.max(1, this.maxInFlight - this.inFlight));
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.take(Math.min(share, this.maxAppends));
      if (batch.length === 0) return; // everything queued waits for a stream in flight
      this.inFlight++;
      for (const append of batch) this.busy.set(append.streamId, (this.busy.get(append.streamId) ?? 0) + 1);
      void this.send(batch);
    }
  }

  /** Takes the next batch off the queue, skipping (and keeping in order) appends whose stream is in flight. */
  private take(maxAppends: number): PendingAppend[] {
    const batch: PendingAppend[] = [];
    const rest: PendingAppend[] = [];
    let bytes = 0;
    // Once an append does not fit, nothing after it goes either: a smaller later append to its stream would overtake it.
    let full = false;
    for (const append of this.queue) {
      full ||= batch.length >= maxAppends || (batch.length > 0 && bytes + append.bytes > this.maxBytes);
      if (full || this.busy.has(append.streamId)) {
        rest.push(append);
      } else {
        batch.push(append);
        bytes += append.bytes;
      }
    }
    this.queue = rest;
    return batch;
  }

  private async send(batch: readonly PendingAppend[]): Promise<void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight--;
      for (const append of batch) {
        const left = (this.busy.get(append.streamId) ?? 1) - 1;
        if (left === 0) this.busy.delete(append.streamId);
        else this.busy.set(append.streamId, left);
      }
      // The callers about to be settled continue in microtasks and submit their next append; dispatching after
      // this event-loop turn lets those appends go out together instead of the first one alone. Only under load:
      // an idle store has no batch to settle.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.dispatch());
      }
    };
    await this.run(batch, release);
    release();
  }
}
