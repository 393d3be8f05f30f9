/**
 * `pnpm start:stack` when a service cannot start: the launcher must report which one, exit non-zero and stop
 * the services that did start, not leave them running with the ports a next start needs.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { STACK_SERVICES } from './launcher/services.js';
import { freeBasePort, launchStack, portFree, stackPrefix } from './testing/launch-stack.js';

function listen(port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done(server));
  });
}

describe('stack mode start-up', () => {
  it('given a service whose port is taken, when the stack starts, then the launcher names it, exits 1 and leaves no service running', async () => {
    const base = await freeBasePort(24_000);
    const projection = STACK_SERVICES.find((s) => s.name === 'projection');
    if (projection === undefined) throw new Error('no projection service');
    const blocker = await listen(base + projection.portOffset);
    try {
      const failure = await launchStack({
        prefix: stackPrefix('startfail'),
        secret: `start-failure-${'x'.repeat(32)}`,
        basePort: base,
      }).then(
        () => undefined,
        (error: unknown) => String(error),
      );
      expect(failure).toMatch(/the launcher exited \(1\)/);
      expect(failure).toMatch(/projection exited/);
      // The services that had started were stopped by the launcher (they run detached: nobody else would).
      const others = STACK_SERVICES.filter((s) => s !== projection).map((s) => base + s.portOffset);
      await vi.waitFor(
        async () => {
          for (const port of others) expect(await portFree(port), `port ${port}`).toBe(true);
        },
        { timeout: 20_000, interval: 250 },
      );
    } finally {
      blocker.close();
    }
  }, 150_000);
});
