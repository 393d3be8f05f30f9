import { ValidationFailed } from '@onestop/domain';
import { vietnamDayStart } from './dates.js';
import { ProcedureNotFound } from './errors.js';
import { loadProcedures, type Procedure } from './procedures.js';
import { matchesQuery } from './search.js';
import type { UnitRegistry } from './units.js';

/** The provincial catalogue: the unit registry plus the procedure definitions validated against it. */
export interface Catalog extends UnitRegistry {
  /**
   * The version of procedure `code` in force at `at` (the latest effective version; without `at`, the latest
   * version). CATALOG_PROCEDURE_NOT_FOUND if the code is unknown or had no version in force yet.
   */
  procedure(code: string, at?: Date): Procedure;
  /** One version per code, as `procedure(code, at)` picks it, ordered by code. */
  procedures(at?: Date): readonly Procedure[];
  /** Every version of `code`, oldest first. */
  procedureVersions(code: string): readonly Procedure[];
  /** Procedures whose code, name or field contains every word of `query`, ignoring case and diacritics. */
  searchProcedures(query: string, at?: Date): readonly Procedure[];
}

function pick(versions: readonly Procedure[], at?: Date): Procedure | undefined {
  if (at !== undefined && Number.isNaN(at.getTime())) {
    throw ValidationFailed('at is not a valid instant', {
      details: { issues: [{ path: 'at', message: 'invalid date' }] },
    });
  }
  const effective =
    at === undefined ? versions : versions.filter((p) => vietnamDayStart(p.effectiveFrom) <= at);
  return effective[effective.length - 1];
}

export function createCatalog(input: { units: UnitRegistry; procedures: readonly unknown[] }): Catalog {
  const { units } = input;
  const byCode = new Map<string, Procedure[]>();
  for (const procedure of loadProcedures(input.procedures, units)) {
    const versions = byCode.get(procedure.code) ?? [];
    versions.push(procedure);
    byCode.set(procedure.code, versions);
  }
  for (const versions of byCode.values())
    versions.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const codes = [...byCode.keys()].sort();

  const procedures = (at?: Date): Procedure[] =>
    codes.flatMap((code) => {
      const chosen = pick(byCode.get(code) ?? [], at);
      return chosen === undefined ? [] : [chosen];
    });

  return {
    ...units,
    procedure: (code, at) => {
      const chosen = pick(byCode.get(code) ?? [], at);
      if (chosen === undefined) {
        const when = at === undefined ? '' : ` at ${at.toISOString()}`;
        throw ProcedureNotFound(`no procedure ${code} in the catalogue${when}`, {
          details: { procedureCode: code, ...(at === undefined ? {} : { at: at.toISOString() }) },
        });
      }
      return chosen;
    },
    procedures,
    procedureVersions: (code) => byCode.get(code) ?? [],
    searchProcedures: (query, at) =>
      procedures(at).filter((p) => matchesQuery(`${p.code} ${p.name} ${p.field}`, query)),
  };
}
