export * from './bus.js';
export * from './embedded.js';
export { devVaultMasterKey, persistentSecret } from './secrets.js';
