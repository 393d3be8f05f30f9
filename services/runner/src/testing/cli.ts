/** Runs `pnpm onestop` as a user would (a child process from the repository root) for the CLI specs. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../../..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI on the embedded data dir `dataDir`; never rejects: a failing command is its exit code and stderr. */
export function runCli(dataDir: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'services/runner/src/cli.ts', ...args],
      { cwd: repoRoot, env: { ...process.env, ONESTOP_DATA_DIR: dataDir }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}
