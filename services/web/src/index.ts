export { buildWeb, ensureWebBuilt, isBuildStale } from './server/build.js';
export { registerWeb, WebAssetNotFound, WebBuildFailed, type WebOptions } from './server/routes.js';
