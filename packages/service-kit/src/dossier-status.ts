/**
 * The national status each dossier last entered, as the events a service has consumed say (every service's events
 * are on the topic). A service whose own stream does not show every status checks commands against it: intake,
 * whose stream stops at 4 once the dossier is transferred, and result-return, whose stream starts at the desk.
 * It lags the topic by the consumer's delay: a command in the instant after a status change can still be judged by
 * the status before it.
 *
 * A side table beside the service's events (its PostgreSQL schema, or the embedded store's SQLite file), written
 * in the consumer's transaction by `apply`: each event once, none lost to a crash.
 */
import { type DossierEvent, NATIONAL_STATUS_ENTERED, NationalStatus } from '@onestop/domain';
import { type SideTableDatabase, type SideTableTransaction, sideTables } from '@onestop/event-store';
import { z } from 'zod';

export interface DossierStatuses {
  /** Creates the table; call before a consumer applies events (not inside its transaction). */
  ready(): Promise<void>;
  /** Records the status `event` enters, if any, in the consumer's transaction; idempotent. */
  apply(event: DossierEvent, tx: SideTableTransaction): Promise<void>;
  /** The status the dossier last entered as consumed so far; undefined before any of its status events. */
  statusOf(dossierId: string): Promise<NationalStatus | undefined>;
}

const StatusRow = z.object({ status: z.coerce.number().pipe(NationalStatus) });
const STATUS_BY_EVENT: Readonly<Record<string, NationalStatus | undefined>> = NATIONAL_STATUS_ENTERED;

/** `name`: the service's own table (a plain identifier), e.g. `intake_dossier_status`. */
export function dossierStatusTable(db: SideTableDatabase, name: string): DossierStatuses {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  const tables = sideTables(db, (t) => [
    `create table if not exists ${t(name)} (
      dossier_id text primary key,
      status integer not null,
      entered_at text not null
    )`,
  ]);
  const table = tables.table(name);
  return {
    ready: tables.ensure,
    async apply(event, tx) {
      const entered = Object.hasOwn(STATUS_BY_EVENT, event.type) ? STATUS_BY_EVENT[event.type] : undefined;
      if (entered === undefined) return;
      // Business time orders the statuses: a redelivered older event does not move the dossier back.
      await tx.query(
        `insert into ${table} (dossier_id, status, entered_at) values ($1, $2, $3)
         on conflict (dossier_id) do update set status = excluded.status, entered_at = excluded.entered_at
         where ${name}.entered_at <= excluded.entered_at`,
        [event.dossierId, entered, event.occurredAt],
      );
    },
    async statusOf(dossierId) {
      const { rows } = await tables.run((tx) =>
        tx.query(`select status from ${table} where dossier_id = $1`, [dossierId]),
      );
      const [row] = rows;
      return row === undefined ? undefined : StatusRow.parse(row).status;
    },
  };
}
