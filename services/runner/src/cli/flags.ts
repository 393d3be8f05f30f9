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
