import type { Catalog } from '@onestop/catalog';
import { type Calendar, createFeedbackDecider } from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import {
  type App,
  buildServer,
  type Clock,
  type IdGenerator,
  type ServerOptions,
} from '@onestop/service-kit';
import { citizenRoutes } from './citizen/route.js';
import { fileRoutes } from './file/route.js';
import { handleRoutes } from './handle/route.js';
import { readRoutes } from './read/route.js';
import { type DossierDirectory, feedbackRecordsTable, type SqlDatabase } from './records/tables.js';

export interface FeedbackDeps {
  /** The service's event store; its database also holds the item index and the private store. */
  readonly store: EventStore & SqlDatabase;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Checks unit and procedure subjects and finds a procedure's competent units. */
  readonly catalog: Catalog;
  /** Dues are working days of this calendar (default: the Vietnamese civil-service calendar). */
  readonly calendar?: Calendar;
  /** The dossiers a dossier subject may name, with their competent unit. */
  readonly dossiers: DossierDirectory;
}

/** Adds the feedback routes (full `/v1/feedback...` paths) to `app`. */
export async function registerFeedback(app: App, deps: FeedbackDeps): Promise<void> {
  const records = feedbackRecordsTable(deps.store);
  await records.ready();
  const decider = createFeedbackDecider(deps.calendar === undefined ? {} : { calendar: deps.calendar });
  const context = { ...deps, records, decider };
  await fileRoutes(app, context);
  await handleRoutes(app, context);
  await citizenRoutes(app, context);
  await readRoutes(app, context);
}

export type FeedbackServerOptions = Omit<ServerOptions, 'name' | 'routes' | 'prefix'>;

export async function buildApp(deps: FeedbackDeps, options: FeedbackServerOptions = {}): Promise<App> {
  return buildServer({
    name: 'feedback',
    description:
      'Citizen feedback and recommendations (phản ánh, kiến nghị): filing, handling by the responsible unit ' +
      'within the working-day limits, publication, rating and follow-up.',
    ...options,
    routes: (app) => registerFeedback(app, deps),
  });
}
