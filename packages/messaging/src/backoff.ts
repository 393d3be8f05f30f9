/** Capped exponential backoff with full jitter kept out: tests and operators see predictable delays. */
export interface BackoffOptions {
  /** First delay. Default 100 ms. */
  readonly initialMs?: number;
  /** Upper bound of any delay. Default 5,000 ms. */
  readonly maxMs?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 5_000;
  return Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects: callers re-check their own state). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
