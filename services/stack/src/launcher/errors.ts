import { defineError } from '@onestop/domain';

/** A service process did not start or did not become ready. */
export const StackStartFailed = defineError<{ service: string; output?: readonly string[] }>(
  'STACK_START_FAILED',
  'unavailable',
);

/** A service of the stack does not answer its readiness probe. */
export const ServiceNotReady = defineError<{ service: string; status: number }>(
  'STACK_SERVICE_NOT_READY',
  'unavailable',
);
