/**
 * Child process of durability.int.spec.ts: 8 concurrent appenders write to the store in `argv[2]` until killed,
 * each printing the eventIds of an append on their own lines once `appendToStream` has resolved (acknowledged).
 * stdout to a pipe is synchronous on Linux, so a line the parent reads is an append the child saw acknowledged.
 * Concurrent appenders make the store group several appends into one commit; after each commit the child prints
 * `commit <appends>`, so the parent can tell that group commits were exercised.
 */
import { embeddedEventStore } from '../embedded-event-store.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: append-forever.child.ts <dataDir>\n');
  process.exit(2);
}
const store = embeddedEventStore({
  dataDir,
  onAppendCommit: (appends) => process.stdout.write(`commit ${appends}\n`),
});
process.stdout.write('ready\n');

let next = 0;
async function appender(): Promise<never> {
  for (;;) {
    const n = next++;
    // Mix single-event and three-event appends; report every event of an acknowledged append.
    const events = Array.from({ length: n % 2 === 0 ? 1 : 3 }, (_, i) => ({
      eventId: `${process.pid}-${n}.${i}`,
      type: 'Appended',
      data: { n, i, payload: 'x'.repeat(200) },
    }));
    await store.appendToStream(`kill-${n % 10}`, events, { expectedVersion: 'any' });
    process.stdout.write(`${events.map((e) => e.eventId).join('\n')}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, appender));
