import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, buildServer } from './server.js';
import { installShutdown, type ShutdownProcess } from './shutdown.js';

class FakeProcess extends EventEmitter implements ShutdownProcess {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
    this.emit('exited', code);
  }
  exited(): Promise<number> {
    return new Promise((resolve) => this.once('exited', resolve));
  }
}

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function slowServer(release: Promise<void>, entered: () => void): Promise<App> {
  const app = await buildServer({
    name: 'shutdown',
    logger: false,
    docs: false,
    routes: async (routes) => {
      routes.get('/slow', async () => {
        entered();
        await release;
        return { done: true };
      });
    },
  });
  apps.push(app);
  return app;
}

describe('installShutdown', () => {
  it('given an in-flight request, when SIGTERM arrives, then it completes before the hooks run in reverse order and exit 0', async () => {
    const release = deferred();
    const entered = deferred();
    const app = await slowServer(release.promise, entered.resolve);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const order: string[] = [];
    const proc = new FakeProcess();
    const shutdown = installShutdown(app, {
      process: proc,
      timeoutMs: 5000,
      onClose: [{ name: 'postgres', close: async () => void order.push('postgres') }],
    });
    shutdown.addCloseHook({ name: 'kafka', close: () => void order.push('kafka') });

    const inFlight = fetch(`${address}/slow`);
    await entered.promise;
    const exited = proc.exited();
    proc.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    expect(proc.exits).toEqual([]);
    await expect(fetch(`${address}/slow`), 'new connections are refused').rejects.toThrow();

    release.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    expect(await exited).toBe(0);
    expect(order).toEqual(['kafka', 'postgres']);
    shutdown.dispose();
  });

  it('given a shutdown in progress, when a second signal arrives, then exit 1 at once', async () => {
    const release = deferred();
    const entered = deferred();
    const app = await slowServer(release.promise, entered.resolve);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const proc = new FakeProcess();
    const shutdown = installShutdown(app, { process: proc, timeoutMs: 5000 });
    const inFlight = fetch(`${address}/slow`);
    await entered.promise;
    proc.emit('SIGTERM', 'SIGTERM');
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.exits).toEqual([1]);
    release.resolve();
    await inFlight;
    shutdown.dispose();
  });

  it('given a hook that never finishes, when the timeout passes, then exit 1', async () => {
    const app = await buildServer({ name: 'stuck', logger: false, docs: false });
    const proc = new FakeProcess();
    installShutdown(app, {
      process: proc,
      timeoutMs: 30,
      onClose: [{ name: 'stuck', close: () => new Promise(() => {}) }],
    });
    const exited = proc.exited();
    proc.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
  });

  it('given a failing hook, then the others still run and the exit code is 1', async () => {
    const app = await buildServer({ name: 'failing', logger: false, docs: false });
    const closed: string[] = [];
    const proc = new FakeProcess();
    const shutdown = installShutdown(app, {
      process: proc,
      onClose: [
        { name: 'first', close: () => void closed.push('first') },
        {
          name: 'broken',
          close: () => {
            throw new Error('pool already ended');
          },
        },
      ],
    });
    await shutdown.shutdown('test');
    expect(closed).toEqual(['first']);
    expect(proc.exits).toEqual([1]);
  });

  it('given dispose, then signals no longer trigger a shutdown', async () => {
    const app = await buildServer({ name: 'disposed', logger: false, docs: false });
    apps.push(app);
    const proc = new FakeProcess();
    installShutdown(app, { process: proc }).dispose();
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGINT')).toBe(0);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(proc.exits).toEqual([]);
  });
});
