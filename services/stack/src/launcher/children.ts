/**
 * One service process: `node --import tsx <entry>` (the PID is the service itself, not a wrapper), in a process
 * group of its own so a terminal's Ctrl-C reaches only the launcher, which then stops each child once, cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { StackStartFailed } from './errors.js';

export interface ServiceProcessOptions {
  readonly name: string;
  /** Absolute path of the service's `main.ts`. */
  readonly entry: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Every line the child writes (stdout and stderr). */
  readonly onLine?: (line: string) => void;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles with the exit code (or the signal's name) when the process has exited. */
  readonly exited: Promise<number | string>;
  /** The last lines it wrote, for error reports. */
  tail(): readonly string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

const TAIL = 40;

export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw StackStartFailed(`could not start ${options.name}`, { details: { service: options.name } });
  }
  const lines: string[] = [];
  const collect = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL) lines.shift();
    options.onLine?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream !== null) createInterface({ input: stream }).on('line', collect);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let stopping: Promise<number | string> | undefined;
  return {
    name: options.name,
    pid,
    exited,
    tail: () => [...lines],
    stop(graceMs = 15_000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return exited;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}
