import { defineError } from '@onestop/domain';

/** A Kafka message whose value is not JSON, or that the injected parser rejected without a code of its own. */
export const InvalidMessage = defineError<{ topic: string; partition: number; offset: string }>(
  'MSG_INVALID_MESSAGE',
  'validation',
);
/** A handler kept failing after every retry; the message went to the dead-letter topic. */
export const HandlerFailed = defineError<{ attempts: number }>('MSG_HANDLER_FAILED', 'internal');
/**
 * Another consumer wrote this partition's offset since we read it (a zombie after a rebalance): our
 * transaction is rolled back and the partition is re-read from PostgreSQL's offset.
 */
export const OffsetConflict = defineError<{ topic: string; partition: number }>(
  'MSG_OFFSET_CONFLICT',
  'conflict',
);
/** The relay lost its advisory lock (its PostgreSQL connection failed): it stops publishing and re-elects. */
export const RelayLockLost = defineError<{ lockKey: string }>('MSG_RELAY_LOCK_LOST', 'unavailable');
/** A bad option passed to the relay, a runner or a tool. */
export const InvalidMessagingOption = defineError<{ option: string }>('MSG_INVALID_OPTION', 'validation');
/** No dead letter at the given coordinates. */
export const DeadLetterNotFound = defineError<{ topic: string; partition: number; offset: string }>(
  'MSG_DEAD_LETTER_NOT_FOUND',
  'not_found',
);

/** The stable code of any error: a DomainError's `code`, otherwise the given fallback. */
export function errorCodeOf(error: unknown, fallback: string): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(error.code)) return error.code;
  }
  return fallback;
}

export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
/** Kafka did not answer in time (a tool's read). */
export const KafkaUnavailable = defineError<{ topic: string }>('MSG_KAFKA_UNAVAILABLE', 'unavailable');
/** A relay holds the lock, so its checkpoint cannot be changed under it. */
export const RelayRunning = defineError<{ lockKey: string }>('MSG_RELAY_RUNNING', 'conflict');
