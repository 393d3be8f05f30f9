import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './target.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>['values'];

/** `parseArgs`, strict, no positionals; an unknown or malformed flag is a UsageError (exit 2). */
export function parseFlags<O extends Options>(args: string[], options: O): Values<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

export const targetOptions = {
  'database-url': { type: 'string' },
  schema: { type: 'string' },
} as const;

/**
 * Takes `--<name> A B` (a flag with two values, which `parseArgs` cannot express) out of `args`: the remaining
 * args and the pair, if given. A missing value or a repeated flag is a UsageError.
 */
export function takeFlagPair(
  args: readonly string[],
  name: string,
): { rest: string[]; pair: readonly [string, string] | undefined } {
  const flag = `--${name}`;
  const at = args.indexOf(flag);
  if (at < 0) return { rest: [...args], pair: undefined };
  const [a, b] = args.slice(at + 1, at + 3);
  if (a === undefined || b === undefined || a.startsWith('--') || b.startsWith('--')) {
    throw UsageError(`${flag} needs two values: ${flag} <a> <b>`);
  }
  const rest = [...args.slice(0, at), ...args.slice(at + 3)];
  if (rest.includes(flag)) throw UsageError(`${flag} given more than once`);
  return { rest, pair: [a, b] };
}
