import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * What a readiness check may resolve to. A check that resolves to anything else (nothing, a query result) is
 * ok; one that throws or rejects has failed, with the error message as detail.
 */
export interface ReadinessOutcome {
  readonly ok: boolean;
  readonly detail?: string;
}

const outcomeSchema = z.object({ ok: z.boolean(), detail: z.string().optional() });

/**
 * Probes one dependency (database, broker, key set). The signal aborts when the check runs past its timeout, so
 * a check that can pass it on (e.g. to a query) does not linger.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;

export interface ReadinessOptions {
  readonly checks?: Readonly<Record<string, ReadinessCheck>>;
  /** A check that has not settled by then fails (default 2000 ms): a hung dependency must not hang the probe. */
  readonly timeoutMs?: number;
}

const checkResultSchema = z.object({
  ok: z.boolean(),
  detail: z.string().optional(),
  latencyMs: z.number(),
});

export const readinessResponseSchema = z
  .object({
    status: z.enum(['ok', 'fail']),
    checks: z.record(z.string(), checkResultSchema),
  })
  .meta({ id: 'Readiness' });

export type ReadinessReport = z.infer<typeof readinessResponseSchema>;
type CheckResult = z.infer<typeof checkResultSchema>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Adds a dependency probe to `GET /health/ready`. Names are unique per server. */
    addReadinessCheck(name: string, check: ReadinessCheck): void;
  }
}

export function installHealth(app: FastifyInstance, options: ReadinessOptions = {}): void {
  const checks = new Map<string, ReadinessCheck>();
  const timeoutMs = options.timeoutMs ?? 2000;

  app.decorate('addReadinessCheck', (name: string, check: ReadinessCheck) => {
    if (checks.has(name)) throw new Error(`readiness check already registered: ${name}`);
    checks.set(name, check);
  });
  for (const [name, check] of Object.entries(options.checks ?? {})) app.addReadinessCheck(name, check);

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/health/live',
    {
      config: { public: true },
      schema: {
        tags: ['ops'],
        summary: 'The process is running',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/health/ready',
    {
      config: { public: true },
      schema: {
        tags: ['ops'],
        summary: 'Every dependency answers; 503 names the ones that do not',
        response: { 200: readinessResponseSchema, 503: readinessResponseSchema },
      },
    },
    async (_request, reply) => {
      const report = await runChecks(checks, timeoutMs);
      return reply.status(report.status === 'ok' ? 200 : 503).send(report);
    },
  );
}

async function runChecks(
  checks: ReadonlyMap<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  return {
    status: entries.every(([, result]) => result.ok) ? 'ok' : 'fail',
    checks: Object.fromEntries(entries),
  };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ReadinessOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, detail: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      check(controller.signal).then((value): ReadinessOutcome => {
        const outcome = outcomeSchema.safeParse(value);
        if (!outcome.success) return { ok: true };
        return outcome.data.detail === undefined
          ? { ok: outcome.data.ok }
          : { ok: outcome.data.ok, detail: outcome.data.detail };
      }),
      timedOut,
    ]);
    return withLatency(outcome, started);
  } catch (error) {
    return withLatency(
      { ok: false, detail: error instanceof Error ? error.message : String(error) },
      started,
    );
  } finally {
    clearTimeout(timer);
  }
}

function withLatency(outcome: ReadinessOutcome, started: number): CheckResult {
  const latencyMs = Math.round((performance.now() - started) * 10) / 10;
  return outcome.detail === undefined
    ? { ok: outcome.ok, latencyMs }
    : { ok: outcome.ok, detail: outcome.detail, latencyMs };
}
