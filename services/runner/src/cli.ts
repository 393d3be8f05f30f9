/**
 * `pnpm onestop <command>` (contract, DESIGN.md section 5). Exit codes: 0 done, 1 failed (with a message),
 * 2 a command-line mistake (with the usage), 130 a replay interrupted by a signal (resumable).
 */
import { demoCatalog } from '@onestop/catalog';
import { isDomainError, parseOrThrow } from '@onestop/domain';
import { signDevToken } from '@onestop/service-kit';
import { devTokenRequest } from '@onestop/stack';
import { exportCommand, exportUsage } from './cli/export.js';
import { parseFlags } from './cli/flags.js';
import { kpiCommand, kpiUsage } from './cli/kpi.js';
import { replayCommand, replayUsage } from './cli/replay.js';
import { reportCommand, reportUsage } from './cli/report.js';
import { UsageError } from './cli/target.js';
import { loadEmbeddedEnv } from './config.js';
import { devSecret } from './secrets.js';

const usage = `usage: pnpm onestop <command> [flags]
  token --role <clerk|specialist|leader|analyst|admin> [--unit <unitId>] [--sub <id>]
        prints a JWT for local use, signed with the embedded system's dev secret (or JWT_SECRET)
${replayUsage}
${kpiUsage}
${exportUsage}
${reportUsage}
The analyst commands read the embedded data directory (ONESTOP_DATA_DIR, default .data/embedded); kpi,
export and report take --database-url <postgres://…> [--schema <name>, default projection] to read a stack-mode
projection.`;

async function token(args: string[]): Promise<number> {
  const values = parseFlags(args, {
    role: { type: 'string' },
    unit: { type: 'string' },
    sub: { type: 'string' },
  });
  let request: ReturnType<typeof devTokenRequest.parse>;
  try {
    request = parseOrThrow(
      devTokenRequest,
      {
        role: values.role,
        ...(values.unit === undefined ? {} : { unitId: values.unit }),
        ...(values.sub === undefined ? {} : { sub: values.sub }),
      },
      'token request',
    );
  } catch (error) {
    throw UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (request.unitId !== undefined) demoCatalog.unit(request.unitId);
  const env = loadEmbeddedEnv();
  const secret = env.JWT_SECRET ?? (await devSecret(env.ONESTOP_DATA_DIR));
  const jwt = await signDevToken(
    {
      sub: request.sub,
      roles: [request.role],
      ...(request.unitId === undefined ? {} : { unitId: request.unitId }),
    },
    secret,
  );
  process.stdout.write(`${jwt}\n`);
  return 0;
}

const dataDir = () => loadEmbeddedEnv().ONESTOP_DATA_DIR;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  token,
  replay: (args) => replayCommand(args, dataDir()),
  kpi: (args) => kpiCommand(args, dataDir(), new Date()),
  export: (args) => exportCommand(args, dataDir(), new Date()),
  report: (args) => reportCommand(args, dataDir(), new Date()),
};

const [name, ...rest] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (command === undefined) {
  process.stderr.write(`${name === undefined ? '' : `unknown command: ${name}\n`}${usage}\n`);
  process.exit(2);
}
try {
  process.exitCode = await command(rest);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (UsageError.is(error)) {
    process.stderr.write(`onestop ${name}: ${message}\n${usage}\n`);
    process.exit(2);
  }
  const code = isDomainError(error) ? ` [${error.code}]` : '';
  process.stderr.write(`onestop ${name}: ${message}${code}\n`);
  process.exit(1);
}
