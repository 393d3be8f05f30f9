import { pino } from 'pino';

/** The process's pino logger (JSON lines on stdout); the server adds `service` to each line. */
export function serviceLogger(level: string): pino.Logger {
  return pino({ level });
}
