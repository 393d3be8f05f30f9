export {
  type BuildAppOptions,
  buildApp,
  type ProjectionDeps,
  type ProjectionDepsInput,
  registerProjection,
} from './app.js';
export {
  type CalendarComparison,
  compareUnitKpiCalendars,
  type DossierChange,
  type FigureChange,
  figureLeaves,
} from './kpi/compare-calendar.js';
export { type KpiFigures, kpiFigures, MAX_POINTS, type Tally } from './kpi/figures.js';
export { PeriodQuery, resolvePeriod } from './kpi/params.js';
export {
  readProjection,
  type UnderCalendar,
  type UnitKpiQuery,
  type UnitKpiReport,
  type UnitProcedureKpiReport,
  unitKpiReport,
  unitKpiReportsUnderCalendars,
  unitProcedureKpiReport,
  unitsOf,
} from './kpi/report.js';
export { type PublicDossier, type PublicStep, publicDossierView } from './public/dossier.js';
export { PublicDossierNotFound, registerPublicRoutes } from './public/routes.js';
export { type Contributions, contributionsOf } from './read-model/contributions.js';
export {
  type ActiveGeneration,
  activeGeneration,
  calendarOfVersion,
  KNOWN_CALENDARS,
  UnknownCalendarVersion,
} from './read-model/generations.js';
export { createProjectionHandler, loadDossierEvents, type ProjectionOptions } from './read-model/handler.js';
export {
  decodeKafkaCheckpoint,
  encodeKafkaCheckpoint,
  type KafkaRebuildSource,
  type KafkaRebuildSourceOptions,
  KafkaSourceMismatch,
  KafkaSourceStalled,
  type KafkaSwitchOverOptions,
  kafkaRebuildSource,
  kafkaSwitchOver,
  logEntryOfMessage,
  type PartitionPositions,
  type SwitchOverReport,
} from './read-model/kafka-source.js';
export { type PostgresProjectionDatabase, postgresProjectionDatabase } from './read-model/postgres.js';
export {
  countRows,
  type LogEntry,
  liveCounts,
  REBUILD_HEAP_MB,
  RebuildConflict,
  type RebuildDatabase,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
  type RebuildSource,
  rebuildProjection,
  type TableCounts,
} from './read-model/rebuild.js';
export {
  type DossierSummary,
  LateReasonJson,
  type SummaryContext,
  summarizeDossier,
} from './read-model/summary.js';
export {
  FIRST_GENERATION,
  generationDdl,
  generationTables,
  migrateProjection,
  type ProjectionDatabase,
  type ProjectionTables,
  projectionTables,
} from './read-model/tables.js';
export { FIGURE_COLUMNS, type FigureColumn } from './report/columns.js';
export {
  competentUnits,
  type ReformReport,
  type ReportFigures,
  type ReportProcedureRow,
  type ReportUnitRow,
  reformReport,
} from './report/model.js';
export {
  DEFAULT_REPORT_FONTS,
  PDF_CONTENT_TYPE,
  ReportFontMissing,
  type ReportFonts,
  reformReportPdf,
} from './report/pdf.js';
export { ReformReportQuery, type ReportPeriod, resolveReportPeriod } from './report/period.js';
export { reformReportXlsx, XLSX_CONTENT_TYPE } from './report/xlsx.js';
