/**
 * Natural batching of vault writes: puts that arrive while one transaction is committing are written together
 * by the next one (one commit for all of them), each resolving when its row is durable. A lone put on an idle
 * vault is written at once. Concurrent receipts therefore share commits instead of queueing for one each.
 */

/** A sealed row ready to write. */
export interface SealedRow {
  readonly ownerId: string;
  readonly wrappedKey: Buffer;
  readonly sealedData: Buffer;
  /** Write only if the owner has no row (see `PutOptions.ifAbsent`). */
  readonly ifAbsent: boolean;
}

interface Pending {
  readonly row: SealedRow;
  readonly resolve: (stored: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/** Largest number of rows written by one transaction. */
const MAX_BATCH = 256;
/** Batches written at the same time. */
const MAX_IN_FLIGHT = 2;

/**
 * `write` stores rows in one transaction and returns the rows it wrote (every row but the `ifAbsent` ones of
 * owners that had a row). It is given each owner at most once per kind of row (the last put wins, as it would
 * have written last); a plain row is written before an `ifAbsent` one of the same owner, which then is not. If
 * a batch of several fails, each row is written again alone, so one bad row cannot fail its neighbours.
 */
const kindOf = (row: SealedRow) => `${row.ifAbsent}:${row.ownerId}`;

export function putBatcher(
  write: (rows: readonly SealedRow[]) => Promise<ReadonlySet<SealedRow>>,
): (row: SealedRow) => Promise<boolean> {
  let queue: Pending[] = [];
  let writing = 0;

  const writeAll = async (batch: readonly Pending[]) => {
    const latest = new Map<string, SealedRow>();
    for (const { row } of batch) latest.set(kindOf(row), row);
    try {
      const written = await write([...latest.values()]);
      for (const put of batch) put.resolve(written.has(latest.get(kindOf(put.row)) ?? put.row));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const put of batch) {
        await write([put.row]).then((written) => put.resolve(written.has(put.row)), put.reject);
      }
    }
  };

  // Takes the next batch whenever a write slot is free: while one batch waits for its commit, the next one is
  // written, and the server flushes both commits together.
  const drain = async () => {
    writing += 1;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_BATCH);
        queue = queue.slice(batch.length);
        await writeAll(batch);
      }
    } finally {
      writing -= 1;
    }
  };

  return (row) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ row, resolve, reject });
      if (writing < MAX_IN_FLIGHT) void drain();
    });
}
