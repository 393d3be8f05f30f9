import type { DocumentStorage } from '@onestop/documents';
import type { EventStore } from '@onestop/event-store';
import {
  type App,
  buildServer,
  type Clock,
  type IdGenerator,
  type ServerOptions,
} from '@onestop/service-kit';
import { digitizeRoutes } from './digitize/route.js';
import { documentRoutes } from './documents/route.js';
import type { ReceivedDossiers } from './dossier/received.js';
import { dossierRoutes } from './dossier/route.js';

export interface DigitizationDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly storage: DocumentStorage;
  /** Largest accepted document in bytes (default 20 MiB); larger ones get 413. */
  readonly maxDocumentBytes?: number;
  /** The receipts this service's consumer has seen (who may digitize, what may be reused). */
  readonly received: ReceivedDossiers;
  /**
   * How long a command waits for the receipt of a dossier it does not know yet (a clerk scans right after the
   * receipt, and the consumer may be a moment behind). Default 5 s.
   */
  readonly receiptWaitMs?: number;
}

/**
 * Adds the digitization routes (full `/v1/digitization/...` paths) to `app`. They live in their own encapsulated
 * context, so the multipart parser they need is not installed for other services mounted on the same server.
 */
export async function registerDigitization(app: App, deps: DigitizationDeps): Promise<void> {
  await app.register(async (scope: App) => {
    await digitizeRoutes(scope, deps);
    await dossierRoutes(scope, deps);
    await documentRoutes(scope, deps);
  });
}

export type DigitizationServerOptions = Omit<ServerOptions, 'name' | 'routes' | 'prefix'>;

export async function buildApp(
  deps: DigitizationDeps,
  options: DigitizationServerOptions = {},
): Promise<App> {
  return buildServer({
    name: 'digitization',
    description: 'Digitized dossier components and results, stored by SHA-256.',
    ...options,
    routes: (app) => registerDigitization(app, deps),
  });
}
