import type Database from 'better-sqlite3';
import { StoreUnavailable } from '../port.js';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append a new entry to
 * change the schema, never edit a shipped one: a file created by an older build is upgraded in place.
 *
 * `global_position` is `INTEGER PRIMARY KEY AUTOINCREMENT`: SQLite has one writer at a time (the database
 * write lock is held from `BEGIN IMMEDIATE` to `COMMIT`), so positions are handed out and become visible in
 * the same order. A reader that remembers "last position seen" can therefore never skip a late commit —
 * the hazard that forces PostgreSQL to order by transaction id (DESIGN.md section 2) does not exist here.
 * AUTOINCREMENT (rather than a plain rowid) guarantees a position is never reused, even after a delete.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS events (
    global_position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,
    event_id        TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    recorded_at     INTEGER NOT NULL, -- ms since the epoch
    UNIQUE (stream_id, stream_version),
    UNIQUE (stream_id, event_id)
  );
  CREATE TABLE IF NOT EXISTS consumer_checkpoints (
    name        TEXT    PRIMARY KEY,
    checkpoint  TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  `,
];

export const schemaVersion = migrations.length;

/** Brings the database to `schemaVersion`; a no-op on an up-to-date file. Safe to call on every open. */
export function migrate(db: Database.Database): void {
  const apply = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true });
    if (typeof current !== 'number' || current > migrations.length) {
      throw StoreUnavailable(
        `embedded event store: schema version ${String(current)} is newer than this build knows (${migrations.length})`,
      );
    }
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v] ?? '');
    db.pragma(`user_version = ${migrations.length}`);
  });
  // IMMEDIATE: two processes opening one new file at once must not both run the migration.
  apply.immediate();
}
