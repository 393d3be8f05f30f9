import type { TestProject } from 'vitest/node';
import {
  dockerEngineReachable,
  missingServices,
  type ServiceVariable,
  type StartedServices,
  startServiceContainers,
} from './containers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Variables of the services started in containers for this run (empty when none were). */
    onestopServices: Partial<Record<ServiceVariable, string>>;
  }
}

// The int and e2e projects both name this file, and vitest may load it once per project: the state lives on the
// main process's global object so that one set of containers serves both.
interface Shared {
  starting: Promise<StartedServices | undefined> | undefined;
  users: number;
}
declare global {
  var onestopTestServices: Shared | undefined;
}
globalThis.onestopTestServices ??= { starting: undefined, users: 0 };
const shared: Shared = globalThis.onestopTestServices;

async function startIfNeeded(): Promise<StartedServices | undefined> {
  const needed = missingServices(process.env);
  if (needed.length === 0) return undefined;
  // No engine: nothing to start. Each test that asks for a service then fails with the commands that start it.
  if (!(await dockerEngineReachable())) return undefined;
  console.info(`[testing] ${needed.join(' and ')} not set; starting containers (testcontainers)`);
  return startServiceContainers(needed);
}

/**
 * vitest global setup of the projects that need PostgreSQL and Kafka: the running services when `DATABASE_URL` /
 * `KAFKA_BROKERS` are set (as `pnpm test` and .ci/run do), containers when they are not and a Docker engine answers.
 * `provided-env.ts` hands the containers' addresses to each test worker.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.users += 1;
  shared.starting ??= startIfNeeded();
  const started = await shared.starting;
  project.provide('onestopServices', started?.env ?? {});
  return async () => {
    shared.users -= 1;
    if (shared.users === 0) {
      shared.starting = undefined;
      await started?.stop();
    }
  };
}
