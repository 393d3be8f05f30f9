/**
 * The intake service: receipt (Form 01), refusal (Form 03), transfer to the competent unit, withdrawal, and the
 * personal-data vault. `registerIntake` adds the routes (full `/v1/intake/...` paths) to any server, so embedded
 * mode mounts every service on one; `buildApp` makes a stand-alone server for stack mode and tests.
 */
import type { Catalog } from '@onestop/catalog';
import { type Calendar, vnCivilServiceCalendar } from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import {
  type App,
  type AuthConfig,
  buildServer,
  type Clock,
  type IdGenerator,
  type ServerOptions,
} from '@onestop/service-kit';
import { registerDeskRoute } from './desk/route.js';
import { type DeskDossiers, deskDossiersTable, type SqlDatabase } from './desk/table.js';
import { registerDossierRoute } from './dossier/route.js';
import { registerReceiptRoute } from './receipt/route.js';
import { registerReceiveRoute } from './receive/route.js';
import { type DossierCodeAllocator, dossierCodeAllocator } from './receive/sequence.js';
import { registerRefuseRoute } from './refuse/route.js';
import { registerTransferRoute } from './transfer/route.js';
import type { Pseudonyms } from './vault/crypto.js';
import type { PersonalDataVault } from './vault/port.js';
import { registerVaultRoutes } from './vault/routes.js';
import { registerWithdrawRoute } from './withdraw/route.js';

export interface IntakeDeps {
  /** The PostgreSQL or embedded store: events, and the desk's read table beside them. */
  readonly store: EventStore & SqlDatabase;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly catalog: Catalog;
  readonly vault: PersonalDataVault;
  /** Keyed applicant ids and request fingerprints (see `createPseudonyms`). */
  readonly pseudonyms: Pseudonyms;
  /** Default: the bundled Vietnamese civil-service calendar. */
  readonly calendar?: Calendar;
  /**
   * Key of the receipts' tracking secret (`ONESTOP_TRACKING_KEY`, shared with the projection, which checks it on
   * the public tracking page). Without it, receipts carry no tracking secret.
   */
  readonly trackingKey?: string | undefined;
}

/** What the slices share: the deps plus the per-process code allocator. */
export interface IntakeContext extends IntakeDeps {
  readonly calendar: Calendar;
  readonly codes: DossierCodeAllocator;
  readonly desk: DeskDossiers;
}

export async function registerIntake(app: App, deps: IntakeDeps): Promise<void> {
  const context: IntakeContext = {
    ...deps,
    calendar: deps.calendar ?? vnCivilServiceCalendar,
    codes: dossierCodeAllocator(deps.store, deps.ids),
    desk: deskDossiersTable(deps.store),
  };
  registerReceiveRoute(app, context);
  registerReceiptRoute(app, context);
  registerDossierRoute(app, context);
  registerDeskRoute(app, context);
  registerTransferRoute(app, context);
  registerWithdrawRoute(app, context);
  registerRefuseRoute(app, context);
  registerVaultRoutes(app, context);
}

export interface BuildAppOptions {
  readonly auth: AuthConfig;
  readonly logger?: ServerOptions['logger'];
}

export async function buildApp(deps: IntakeDeps, options: BuildAppOptions): Promise<App> {
  return buildServer({
    name: 'intake',
    description: 'Receipt, refusal, transfer and withdrawal of dossiers; the personal-data vault',
    auth: options.auth,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    routes: async (app) => registerIntake(app, deps),
  });
}
