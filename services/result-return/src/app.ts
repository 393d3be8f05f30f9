import type { Catalog } from '@onestop/catalog';
import type { EventStore } from '@onestop/event-store';
import {
  type App,
  buildServer,
  type Clock,
  type IdGenerator,
  type ServerOptions,
} from '@onestop/service-kit';
import { deskRoutes } from './desk/route.js';
import type { SqlDatabase } from './desk/table.js';
import { dossierRoutes } from './dossier/route.js';
import { rateRoutes } from './rate/route.js';
import { receiveRoutes } from './receive/route.js';
import { returnRoutes } from './return/route.js';

export interface ResultReturnDeps {
  /** The PostgreSQL or embedded store: events, and the desk's read table beside them. */
  readonly store: EventStore & SqlDatabase;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Checks that a manually entered returning unit exists and is in force. */
  readonly catalog: Catalog;
}

/** Adds the result-return routes (full `/v1/return/...` paths) to `app`. */
export async function registerResultReturn(app: App, deps: ResultReturnDeps): Promise<void> {
  await receiveRoutes(app, deps);
  await returnRoutes(app, deps);
  await rateRoutes(app, deps);
  await dossierRoutes(app, deps);
  await deskRoutes(app, deps);
}

export type ResultReturnServerOptions = Omit<ServerOptions, 'name' | 'routes' | 'prefix'>;

export async function buildApp(
  deps: ResultReturnDeps,
  options: ResultReturnServerOptions = {},
): Promise<App> {
  return buildServer({
    name: 'result-return',
    description: 'Results received at the returning desk, returned to applicants, and satisfaction ratings.',
    ...options,
    routes: (app) => registerResultReturn(app, deps),
  });
}
