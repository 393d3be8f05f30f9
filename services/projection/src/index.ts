export {
  type BuildAppOptions,
  buildApp,
  type ProjectionDeps,
  type ProjectionDepsInput,
  registerProjection,
} from './app.js';
export { type KpiFigures, kpiFigures, MAX_POINTS, type Tally } from './kpi/figures.js';
export { type Contributions, contributionsOf } from './read-model/contributions.js';
export { createProjectionHandler, loadDossierEvents, type ProjectionOptions } from './read-model/handler.js';
export {
  type DossierSummary,
  LateReasonJson,
  type SummaryContext,
  summarizeDossier,
} from './read-model/summary.js';
export {
  migrateProjection,
  type ProjectionDatabase,
  type ProjectionTables,
  projectionTables,
} from './read-model/tables.js';
