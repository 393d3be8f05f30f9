import type { Catalog } from '@onestop/catalog';
import type { Calendar } from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import {
  type App,
  type AuthConfig,
  buildServer,
  type Clock,
  type IdGenerator,
  type ServerOptions,
} from '@onestop/service-kit';
import { registerCaseQuery } from './case/route.js';
import { registerClosingRoutes } from './closing/route.js';
import { registerConsultationRoutes } from './consultation/route.js';
import { registerDeadlineRoutes } from './deadline/route.js';
import { registerPaymentRoutes } from './payment/route.js';
import type { ReceivedDossiers } from './received/received-dossiers.js';
import { registerStepRoutes } from './steps/route.js';
import { registerSupplementRoutes } from './supplement/route.js';

export interface ProcessingDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly catalog: Catalog;
  /** The read table of received dossiers, fed by `rememberDossierOnDossierReceived`. */
  readonly received: ReceivedDossiers;
  /** Default: the Vietnamese civil-service calendar. */
  readonly calendar?: Calendar;
}

/** Adds the processing routes (full `/v1/processing/...` paths) to any server, so embedded mode can mount them. */
export async function registerProcessing(app: App, deps: ProcessingDeps): Promise<void> {
  await registerCaseQuery(app, deps);
  await registerStepRoutes(app, deps);
  await registerSupplementRoutes(app, deps);
  await registerPaymentRoutes(app, deps);
  await registerConsultationRoutes(app, deps);
  await registerDeadlineRoutes(app, deps);
  await registerClosingRoutes(app, deps);
}

export interface BuildAppOptions {
  readonly auth: AuthConfig;
  readonly logger?: ServerOptions['logger'];
}

export async function buildApp(deps: ProcessingDeps, options: BuildAppOptions): Promise<App> {
  return buildServer({
    name: 'processing',
    description:
      'Processing cases of the competent units: steps, pauses, consultations, extensions, decisions.',
    auth: options.auth,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    routes: (app) => registerProcessing(app, deps),
  });
}
