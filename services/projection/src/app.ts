import type { Catalog } from '@onestop/catalog';
import { type Calendar, vnCivilServiceCalendar } from '@onestop/domain';
import {
  type App,
  type AuthConfig,
  buildServer,
  type Clock,
  type PublicRateLimit,
  type ServerOptions,
} from '@onestop/service-kit';
import { registerFeedbackKpiRoutes } from './feedback/routes.js';
import { registerKpiRoutes } from './kpi/routes.js';
import { registerPublicRoutes } from './public/routes.js';
import { migrateProjection, type ProjectionDatabase } from './read-model/tables.js';
import { registerReportRoutes } from './report/route.js';
import { registerTimelineRoute } from './timeline/route.js';

export interface ProjectionDeps {
  /** Where the read models live: the PostgreSQL store (or a schema of it) in stack mode, the embedded store. */
  readonly db: ProjectionDatabase;
  readonly clock: Clock;
  readonly catalog: Catalog;
  readonly calendar: Calendar;
  /**
   * Key of the receipts' tracking secrets (`ONESTOP_TRACKING_KEY`, the one intake prints them with). Without
   * it, public tracking answers every request with PUBLIC_DOSSIER_NOT_FOUND.
   */
  readonly trackingKey?: string | undefined;
  /** Limits of the public routes (default 60 requests a minute per client address). */
  readonly publicRateLimit?: PublicRateLimit;
}

export interface ProjectionDepsInput extends Omit<ProjectionDeps, 'calendar'> {
  /** Default: the Vietnamese civil-service calendar. */
  readonly calendar?: Calendar;
}

/** Adds the projection's routes (full `/v1/kpi/...` and `/v1/dossiers/{id}/timeline` paths) to any server. */
export async function registerProjection(app: App, input: ProjectionDepsInput): Promise<void> {
  await migrateProjection(input.db);
  const deps: ProjectionDeps = { ...input, calendar: input.calendar ?? vnCivilServiceCalendar };
  await registerKpiRoutes(app, deps);
  await registerFeedbackKpiRoutes(app, deps);
  await registerTimelineRoute(app, deps);
  await registerReportRoutes(app, deps);
  await registerPublicRoutes(app, deps);
}

export interface BuildAppOptions {
  readonly auth: AuthConfig;
  readonly logger?: ServerOptions['logger'];
}

export async function buildApp(deps: ProjectionDepsInput, options: BuildAppOptions): Promise<App> {
  return buildServer({
    name: 'projection',
    description:
      'Read models fed by the dossier topic: unit and procedure KPIs with Decision 766 points, drill-down to ' +
      'the dossiers with their late reasons, series, and merged dossier timelines.',
    auth: options.auth,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    routes: (app) => registerProjection(app, deps),
  });
}
