import { z } from 'zod';
import type { TestClock } from './clock.js';
import type { App } from './server.js';

/**
 * `POST /v1/dev/clock { now }` (contract): sets the business time of every service in this process, and
 * `GET /v1/dev/clock` reads it. Register it only when the process was started with ONESTOP_TEST_CLOCK=1, so the
 * path is 404 otherwise. In stack mode each process has its own clock; the stack's gateway fans the POST out.
 */
export async function registerTestClock(app: App, clock: TestClock): Promise<void> {
  app.post(
    '/v1/dev/clock',
    {
      config: { public: true },
      schema: {
        summary: 'Set business time (test clock; only with ONESTOP_TEST_CLOCK=1)',
        tags: ['dev'],
        body: z.object({ now: z.iso.datetime({ offset: true }) }),
      },
    },
    async (request) => {
      clock.set(new Date(request.body.now));
      return { now: clock.now().toISOString() };
    },
  );
  app.get(
    '/v1/dev/clock',
    { config: { public: true }, schema: { summary: 'Current business time', tags: ['dev'] } },
    async () => ({ now: clock.now().toISOString() }),
  );
}
