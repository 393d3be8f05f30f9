export { devTokenRequest, registerDevTokens } from './launcher/dev-tokens.js';
export { registerCatalogRoutes } from './launcher/gateway-app.js';
export * from './runtime/env.js';
export * from './runtime/logger.js';
export * from './runtime/messaging.js';
export * from './runtime/service.js';
