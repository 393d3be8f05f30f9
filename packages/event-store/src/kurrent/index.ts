export { type KurrentEventStoreOptions, kurrentEventStore } from './kurrent-event-store.js';
export { UnreadableEvent } from './mapping.js';
