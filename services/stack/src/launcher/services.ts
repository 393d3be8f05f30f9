/**
 * The services `pnpm start:stack` runs, one process each. Add a service here (its `main.ts` reads the stack
 * environment of `@onestop/stack`) and the launcher starts it, the gateway routes its prefixes to it and fans the
 * test clock out to it.
 */
export interface StackServiceSpec {
  readonly name: string;
  /** Its port is the gateway's + this (intake 3001, digitization 3002, …). */
  readonly portOffset: number;
  /** Its composition root, relative to the repository root. */
  readonly entry: string;
  /** Its PostgreSQL schema (the stack's schema prefix goes in front); none for a service without data. */
  readonly schema?: string;
  /** Path prefixes the gateway sends to it. */
  readonly routes: readonly string[];
  /** Consumes the dossier topic: gets a consumer group (the stack's prefix + its name). */
  readonly consumes: boolean;
  /** Started only when its entry exists (a service still being written). */
  readonly optional?: boolean;
  /** Keeps business time, so the test clock is set in it too (default true; the web server keeps none). */
  readonly businessClock?: boolean;
}

export const STACK_SERVICES: readonly StackServiceSpec[] = [
  {
    name: 'intake',
    portOffset: 1,
    entry: 'services/intake/src/main.ts',
    schema: 'intake',
    routes: ['/v1/intake'],
    // Its own receipts, from the topic, keep the desk list.
    consumes: true,
  },
  {
    name: 'digitization',
    portOffset: 2,
    entry: 'services/digitization/src/main.ts',
    schema: 'digitization',
    routes: ['/v1/digitization'],
    consumes: false,
  },
  {
    name: 'processing',
    portOffset: 3,
    entry: 'services/processing/src/main.ts',
    schema: 'processing',
    routes: ['/v1/processing'],
    consumes: true,
  },
  {
    name: 'result-return',
    portOffset: 4,
    entry: 'services/result-return/src/main.ts',
    schema: 'result_return',
    routes: ['/v1/return'],
    consumes: true,
  },
  {
    name: 'projection',
    portOffset: 5,
    entry: 'services/projection/src/main.ts',
    schema: 'projection',
    routes: ['/v1/kpi', '/v1/dossiers', '/v1/reports', '/v1/public'],
    consumes: true,
    optional: true,
  },
  {
    name: 'feedback',
    portOffset: 6,
    entry: 'services/feedback/src/main.ts',
    schema: 'feedback',
    // The citizens' public routes too; the gateway's longest prefix wins over the projection's `/v1/public`.
    routes: ['/v1/feedback', '/v1/public/feedback'],
    consumes: true,
  },
  {
    // The web app's static files: the page (and the public tracking page its receipts' QR codes open) and its
    // hashed bundles. The gateway's `/` prefix matches the root only.
    name: 'web',
    portOffset: 7,
    entry: 'services/web/src/main.ts',
    routes: ['/', '/assets', '/tracking'],
    consumes: false,
    businessClock: false,
  },
];
