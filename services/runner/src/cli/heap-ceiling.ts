/**
 * Runs a command in a process whose V8 old space is capped: the current one when its heap limit is already that
 * low (or the user chose one with `--max-old-space-size`), else a copy of this process (same node flags, script,
 * arguments, environment and standard streams) started with the cap. Node sizes its heap from the machine's
 * memory, and with a limit of gigabytes V8 lets garbage grow to several times the live set before a full
 * collection; a replay, whose live set is bounded, must also stay within a memory bound as a process.
 *
 * The copy runs in a process group of its own, so a terminal's Ctrl-C reaches it once, forwarded from here
 * (SIGINT, SIGTERM and SIGHUP are), as it would reach the command run directly; its exit code is returned.
 * A parent killed outright (SIGKILL forwards nothing) leaves the copy orphaned: it notices within a second and
 * stops itself with SIGTERM, as an interrupted command would (a replay resumes from its checkpoint).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** What V8 counts in its heap limit beyond the old space (the young generation, mostly). */
const BEYOND_OLD_SPACE_MB = 96;
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const chosenByUser = () =>
  [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) =>
    /^--max[-_]old[-_]space[-_]size\b/.test(flag),
  );

/** Set in the copy's environment to the pid of the process that started it. */
const PARENT_ENV = 'ONESTOP_HEAP_CEILING_PARENT';

function stopWhenOrphaned(parentPid: number): void {
  const timer = setInterval(() => {
    if (process.ppid !== parentPid) {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, 1_000);
  timer.unref();
}

export async function withHeapCeiling(oldSpaceMb: number, run: () => Promise<number>): Promise<number> {
  const parentPid = Number(process.env[PARENT_ENV]);
  if (Number.isInteger(parentPid) && parentPid > 0) stopWhenOrphaned(parentPid);
  const limitMb = getHeapStatistics().heap_size_limit / 2 ** 20;
  if (limitMb <= oldSpaceMb + BEYOND_OLD_SPACE_MB || chosenByUser()) return run();
  const [script, ...args] = process.argv.slice(1);
  if (script === undefined) return run();
  const child = spawn(
    process.execPath,
    [...process.execArgv, `--max-old-space-size=${oldSpaceMb}`, script, ...args],
    { stdio: 'inherit', detached: true, env: { ...process.env, [PARENT_ENV]: String(process.pid) } },
  );
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  try {
    return await new Promise<number>((done, fail) => {
      child.once('error', fail);
      child.once('exit', (code, signal) =>
        done(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
      );
    });
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
  }
}
