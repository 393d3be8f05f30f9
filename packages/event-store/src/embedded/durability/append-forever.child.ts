/**
 * Child process of durability.int.spec.ts: appends to the store in `argv[2]` until killed and prints each
 * eventId on its own line once `appendToStream` has resolved (acknowledged). stdout to a pipe is synchronous
 * on Linux, so a line the parent reads is an append the child saw acknowledged.
 */
import { embeddedEventStore } from '../embedded-event-store.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: append-forever.child.ts <dataDir>\n');
  process.exit(2);
}
const store = embeddedEventStore({ dataDir });
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  const eventId = `${process.pid}-${n}`;
  // Mix single-event and three-event appends; report every event of an acknowledged append.
  const events = Array.from({ length: n % 2 === 0 ? 1 : 3 }, (_, i) => ({
    eventId: `${eventId}.${i}`,
    type: 'Appended',
    data: { n, i, payload: 'x'.repeat(200) },
  }));
  await store.appendToStream(`kill-${n % 10}`, events, { expectedVersion: 'any' });
  process.stdout.write(`${events.map((e) => e.eventId).join('\n')}\n`);
}
