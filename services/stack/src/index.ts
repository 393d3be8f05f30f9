export { registerCatalogRoutes } from './launcher/gateway-app.js';
export * from './runtime/env.js';
export * from './runtime/logger.js';
export * from './runtime/messaging.js';
