export * from './bus.js';
export * from './embedded.js';
export {
  PROJECTION_CONSUMER,
  type ProjectionConsumer,
  startProjectionConsumer,
} from './projection-consumer.js';
export { devVaultMasterKey } from './secrets.js';
