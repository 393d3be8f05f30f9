/**
 * `pnpm onestop <command>` (contract, DESIGN.md section 5). Commands land with the issues that build what they
 * need; an unknown or not-yet-available command says so and exits 2.
 */
import { parseArgs } from 'node:util';
import { demoCatalog } from '@onestop/catalog';
import { parseOrThrow } from '@onestop/domain';
import { signDevToken } from '@onestop/service-kit';
import { loadEmbeddedEnv } from './config.js';
import { devTokenRequest } from './dev-routes.js';
import { devSecret } from './secrets.js';

const usage = `usage: pnpm onestop <command>
  token --role <clerk|specialist|leader|analyst|admin> [--unit <unitId>] [--sub <id>]
        prints a JWT for local use, signed with the embedded system's dev secret (or JWT_SECRET)`;

async function token(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, unit: { type: 'string' }, sub: { type: 'string' } },
  });
  const request = parseOrThrow(
    devTokenRequest,
    {
      role: values.role,
      ...(values.unit === undefined ? {} : { unitId: values.unit }),
      ...(values.sub === undefined ? {} : { sub: values.sub }),
    },
    'token request',
  );
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
}

const commands: Record<string, (args: string[]) => Promise<void>> = { token };

const [name, ...rest] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (command === undefined) {
  process.stderr.write(`${name === undefined ? '' : `unknown command: ${name}\n`}${usage}\n`);
  process.exit(2);
}
try {
  await command(rest);
} catch (error) {
  process.stderr.write(`onestop ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
