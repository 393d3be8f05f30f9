import { type logCreator, logLevel } from 'kafkajs';
import { pino } from 'pino';

/** The slice of a pino logger the messaging code uses; services pass their pino instance. */
export interface MessagingLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Default: warnings and errors as JSON lines on stderr, so a relay that keeps retrying is never silent. */
export const stderrLogger: MessagingLogger = pino({ name: 'messaging', level: 'warn' }, pino.destination(2));

export const silentLogger: MessagingLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** kafkajs's own log, at error level only: our code logs the retries and state changes that matter. */
export function kafkaLogCreator(logger: MessagingLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      if (level > logLevel.ERROR) return;
      const { message, ...fields } = log;
      logger.error({ namespace, ...fields }, `kafkajs: ${message}`);
    };
}
