import type { FastifyInstance } from 'fastify';

/** Something to release after the server has drained: a DB pool, a Kafka client, a relay loop. */
export interface CloseHook {
  readonly name: string;
  readonly close: () => Promise<void> | void;
}

/** The part of `process` that shutdown uses; tests pass a fake so no signal reaches the test runner. */
export interface ShutdownProcess {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

export interface ShutdownOptions {
  /** After this long the process exits 1 whatever is still running (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** Close hooks, run after the server has drained, in reverse order (last opened, first closed). */
  readonly onClose?: readonly CloseHook[];
  readonly signals?: readonly NodeJS.Signals[];
  readonly process?: ShutdownProcess;
}

export interface Shutdown {
  /** Adds a hook; hooks added later close earlier. */
  addCloseHook(hook: CloseHook): void;
  /** Runs the shutdown as a signal would; resolves once exit has been called. */
  shutdown(reason: string): Promise<void>;
  /** Removes the signal listeners (for tests and for a runner that owns the process). */
  dispose(): void;
}

/**
 * On SIGTERM/SIGINT: stop accepting connections and let in-flight requests finish (`app.close()`), then run the
 * close hooks in reverse order and exit 0. A second signal, or the timeout, exits 1 at once. A failing hook is
 * logged, does not stop the others, and makes the exit code 1.
 */
export function installShutdown(app: FastifyInstance, options: ShutdownOptions = {}): Shutdown {
  const proc: ShutdownProcess = options.process ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const hooks: CloseHook[] = [...(options.onClose ?? [])];
  let running: Promise<void> | undefined;
  let exited = false;

  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    proc.exit(code);
  };

  const run = async (reason: string): Promise<void> => {
    app.log.info({ reason, timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs }, 'shutdown timed out; forcing exit');
      exit(1);
    }, timeoutMs);
    timer.unref();
    let code = 0;
    // Node reaps only the connections idle when close() is called; a keep-alive connection whose request was
    // in flight turns idle later and would hold close() until the keep-alive timeout (72 s in fastify).
    const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
    reaper.unref();
    try {
      await app.close();
    } catch (error) {
      app.log.error({ err: error }, 'server close failed');
      code = 1;
    } finally {
      clearInterval(reaper);
    }
    for (const hook of [...hooks].reverse()) {
      try {
        await hook.close();
      } catch (error) {
        app.log.error({ err: error, hook: hook.name }, 'close hook failed');
        code = 1;
      }
    }
    clearTimeout(timer);
    app.log.info({ code }, 'shutdown complete');
    exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running !== undefined) {
      app.log.warn({ signal }, 'second signal during shutdown; forcing exit');
      exit(1);
      return;
    }
    running = run(signal);
  };
  for (const signal of signals) proc.on(signal, onSignal);

  return {
    addCloseHook: (hook) => {
      hooks.push(hook);
    },
    shutdown: (reason) => {
      running ??= run(reason);
      return running;
    },
    dispose: () => {
      for (const signal of signals) proc.removeListener(signal, onSignal);
    },
  };
}
