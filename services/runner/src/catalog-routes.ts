import type { Catalog } from '@onestop/catalog';
import type { App } from '@onestop/service-kit';
import { z } from 'zod';

const procedureQuery = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('words to find in the code, name or field; accents optional'),
  at: z.iso.datetime({ offset: true }).optional().describe('the catalogue as in force at this instant'),
});

/**
 * The published catalogue (DESIGN.md section 5): procedures with their limits, components, competent units, fee
 * and internal steps, and the effective-dated unit registry. Readable by every signed-in role.
 */
export async function registerCatalog(app: App, catalog: Catalog): Promise<void> {
  app.get(
    '/v1/catalog/procedures',
    {
      schema: {
        summary: 'Procedures in force, optionally searched (accent-insensitive: "ho tich" finds "hộ tịch")',
        tags: ['catalog'],
        querystring: procedureQuery,
      },
    },
    async (request) => {
      const at = request.query.at === undefined ? undefined : new Date(request.query.at);
      const found = request.query.q ? catalog.searchProcedures(request.query.q, at) : catalog.procedures(at);
      return { procedures: found };
    },
  );

  app.get(
    '/v1/catalog/units',
    {
      schema: {
        summary:
          'The unit registry with validity periods and successors (merged units point to their successor)',
        tags: ['catalog'],
      },
    },
    async () => ({
      units: catalog.units().map((unit) => ({
        id: unit.id,
        code: unit.code,
        name: unit.name,
        kind: unit.kind,
        parentId: unit.parentId ?? null,
        validFrom: unit.validFrom,
        validTo: unit.validTo ?? null,
        successorId: unit.successorId ?? null,
        versions: unit.versions,
      })),
    }),
  );
}
