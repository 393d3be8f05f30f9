import { afterEach, describe, expect, it } from 'vitest';
import { createTestClock } from './clock.js';
import { registerTestClock } from './dev-clock.js';
import { type App, buildServer } from './server.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('the test clock route', () => {
  it('given a test clock, when POST /v1/dev/clock sets a time, then the clock and GET report it', async () => {
    // Frozen (the wall clock stands still), so the time read back is exactly the time set.
    const clock = createTestClock(undefined, () => 0);
    const app = await buildServer({
      name: 'clocked',
      logger: false,
      auth: { mode: 'hs256', secret: 'x'.repeat(32) },
      routes: (root) => registerTestClock(root, clock),
    });
    apps.push(app);
    const set = await app.inject({
      method: 'POST',
      url: '/v1/dev/clock',
      payload: { now: '2026-03-02T09:00:00+07:00' },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ now: '2026-03-02T02:00:00.000Z' });
    expect(clock.now().toISOString()).toBe('2026-03-02T02:00:00.000Z');
    const read = await app.inject({ url: '/v1/dev/clock' });
    expect(read.json()).toEqual({ now: '2026-03-02T02:00:00.000Z' });
  });

  it('given a bad instant, when POST /v1/dev/clock, then 400 names the field', async () => {
    const app = await buildServer({
      name: 'clocked',
      logger: false,
      routes: (root) => registerTestClock(root, createTestClock()),
    });
    apps.push(app);
    const response = await app.inject({ method: 'POST', url: '/v1/dev/clock', payload: { now: 'tomorrow' } });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).toContain('now');
  });
});
