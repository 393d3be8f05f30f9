import type { Catalog } from '@onestop/catalog';
import type { DocumentStorage } from '@onestop/documents';
import { type Calendar, createFeedbackDecider, vnCivilServiceCalendar } from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import {
  type App,
  buildServer,
  type Clock,
  type IdGenerator,
  type PublicRateLimit,
  type ServerOptions,
} from '@onestop/service-kit';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from './attachments/attachments.js';
import { attachmentRoutes } from './attachments/route.js';
import { citizenRoutes } from './citizen/route.js';
import { fileRoutes } from './file/route.js';
import type { FilerVault } from './filer/vault.js';
import { handleRoutes } from './handle/route.js';
import { privacyRoutes } from './privacy/route.js';
import { publicRoutes } from './public/route.js';
import { readRoutes } from './read/route.js';
import { type DossierDirectory, feedbackRecordsTable, type SqlDatabase } from './records/tables.js';

export interface FeedbackDeps {
  /** The service's event store; its database also holds the item index. */
  readonly store: EventStore & SqlDatabase;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Checks unit and procedure subjects and finds a procedure's competent units. */
  readonly catalog: Catalog;
  /** Dues are working days of this calendar (default: the Vietnamese civil-service calendar). */
  readonly calendar?: Calendar;
  /** The dossiers a dossier subject may name, with their competent unit. */
  readonly dossiers: DossierDirectory;
  /** What each filer wrote and how to reach them, sealed per filer (`postgresFilerVault`, `sqliteFilerVault`). */
  readonly vault: FilerVault;
  /** Where attachments are stored, by SHA-256. */
  readonly storage: DocumentStorage;
  /** Largest accepted attachment in bytes (default 5 MiB); larger ones get 413. */
  readonly maxAttachmentBytes?: number;
  /**
   * Key of the receipts' tracking secrets (`ONESTOP_TRACKING_KEY`, shared with intake and the projection): checks
   * a citizen's dossier subject and signs follow-up secrets. Without it the public routes are not served.
   */
  readonly trackingKey?: string | undefined;
  /** Limit of the public routes per client address (default: 60 a minute, keyed on the socket address). */
  readonly publicRateLimit?: PublicRateLimit;
}

/** Adds the feedback routes (full `/v1/feedback...` and `/v1/public/feedback...` paths) to `app`. */
export async function registerFeedback(app: App, deps: FeedbackDeps): Promise<void> {
  const records = feedbackRecordsTable(deps.store);
  await records.ready();
  await deps.vault.ready();
  const calendar = deps.calendar ?? vnCivilServiceCalendar;
  const context = {
    ...deps,
    calendar,
    records,
    decider: createFeedbackDecider({ calendar }),
    maxAttachmentBytes: deps.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES,
  };
  await fileRoutes(app, context);
  await handleRoutes(app, context);
  await citizenRoutes(app, context);
  await readRoutes(app, context);
  await attachmentRoutes(app, context);
  await privacyRoutes(app, context);
  if (deps.trackingKey !== undefined) await publicRoutes(app, context, deps.trackingKey);
}

export type FeedbackServerOptions = Omit<ServerOptions, 'name' | 'routes' | 'prefix'>;

export async function buildApp(deps: FeedbackDeps, options: FeedbackServerOptions = {}): Promise<App> {
  return buildServer({
    name: 'feedback',
    description:
      'Citizen feedback and recommendations (phản ánh, kiến nghị): filing (by a clerk, or by the citizen without ' +
      'an account), handling by the responsible unit within the working-day limits, publication, rating and ' +
      'follow-up. What the filer wrote is sealed per filer in the vault, every read logged.',
    ...options,
    routes: (app) => registerFeedback(app, deps),
  });
}
