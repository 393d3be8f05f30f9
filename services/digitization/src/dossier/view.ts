/**
 * What `GET /v1/digitization/dossiers/{id}` shows: every component's latest digitized file and the result, folded
 * from the dossier's digitization stream. Reuse lookups read the same view of the source dossier.
 */
import {
  ComponentCode,
  DigitizationSource,
  type DossierEvent,
  dossierEventFromStored,
  ReusedFrom,
  Sha256,
  streamIdFor,
} from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import { z } from 'zod';

export const DigitizedDocument = z
  .object({
    sha256: Sha256,
    sizeBytes: z.int().positive(),
    mediaType: z.string(),
    source: DigitizationSource,
    reusedFrom: ReusedFrom.optional().describe(
      'for a reused document: `digitization-{dossierId}/{componentCode}` or `digitization-{dossierId}/result`',
    ),
    signer: z.string().optional(),
    digitizedAt: z.string().describe('business time of the digitization'),
    digitizedBy: z.string().describe('officer id (token subject)'),
  })
  .meta({ id: 'DigitizedDocument' });
export type DigitizedDocument = z.infer<typeof DigitizedDocument>;

export const DigitizedComponent = DigitizedDocument.extend({ code: ComponentCode }).meta({
  id: 'DigitizedComponent',
});
export type DigitizedComponent = z.infer<typeof DigitizedComponent>;

export const DigitizationView = z
  .object({
    dossierId: z.uuid(),
    version: z.int().describe('stream version (also the ETag)'),
    components: z.array(DigitizedComponent),
    result: DigitizedDocument.nullable(),
  })
  .meta({ id: 'DigitizationView' });
export type DigitizationView = z.infer<typeof DigitizationView>;

/** The reference a reused document records: the source's stream and what in it (`result` for its result). */
export function reuseReference(dossierId: string, componentCode: string): string {
  return `${streamIdFor('digitization', dossierId)}/${componentCode}`;
}

export function digitizationView(dossierId: string, history: readonly DossierEvent[]): DigitizationView {
  const components = new Map<string, DigitizedComponent>();
  let result: DigitizedDocument | null = null;
  for (const event of history) {
    if (event.type !== 'ComponentDigitized' && event.type !== 'ResultDigitized') continue;
    const { sha256, sizeBytes, mediaType, source, reusedFrom, signer } = event.data;
    const document: DigitizedDocument = {
      sha256,
      sizeBytes,
      mediaType,
      source,
      ...(reusedFrom === undefined ? {} : { reusedFrom }),
      ...(signer === undefined ? {} : { signer }),
      digitizedAt: event.occurredAt,
      digitizedBy: event.actor.id,
    };
    if (event.type === 'ComponentDigitized') {
      components.set(event.data.componentCode, { code: event.data.componentCode, ...document });
    } else {
      result = document;
    }
  }
  return { dossierId, version: history.length - 1, components: [...components.values()], result };
}

export async function loadDigitizationView(store: EventStore, dossierId: string): Promise<DigitizationView> {
  const stored = await store.readStream(streamIdFor('digitization', dossierId));
  return digitizationView(dossierId, stored.map(dossierEventFromStored));
}
