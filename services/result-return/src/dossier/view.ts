/** What `GET /v1/return/dossiers/{id}` shows, folded from the dossier's `return-{id}` stream. */
import {
  type DossierEvent,
  dossierEventFromStored,
  ReturnChannel,
  SatisfactionRating,
  streamIdFor,
} from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import { z } from 'zod';

export const ReturnView = z
  .object({
    dossierId: z.uuid(),
    version: z.int().describe('stream version (also the ETag)'),
    nationalStatus: z.literal([9, 10]).describe('9 processed (result at the desk), 10 result returned'),
    returningUnitId: z.string(),
    receivedAt: z.string(),
    receivedBy: z.string().describe("officer id, or 'system' when received electronically from processing"),
    channel: ReturnChannel.optional(),
    returnedAt: z.string().optional(),
    rating: SatisfactionRating.optional().describe('1 very satisfied … 4 very dissatisfied'),
    ratedAt: z.string().optional(),
  })
  .meta({ id: 'ReturnView' });
export type ReturnView = z.infer<typeof ReturnView>;

/** The view, or undefined when the result has not reached a desk yet (the stream is empty). */
export function returnView(dossierId: string, history: readonly DossierEvent[]): ReturnView | undefined {
  let view: ReturnView | undefined;
  for (const event of history) {
    switch (event.type) {
      case 'ResultReceivedAtDesk':
        view = {
          dossierId,
          version: event.streamVersion,
          nationalStatus: 9,
          returningUnitId: event.data.returningUnitId,
          receivedAt: event.occurredAt,
          receivedBy: event.actor.role === 'system' ? 'system' : event.actor.id,
        };
        break;
      case 'ResultReturned':
        if (view !== undefined) {
          view = {
            ...view,
            version: event.streamVersion,
            nationalStatus: 10,
            channel: event.data.channel,
            returnedAt: event.occurredAt,
          };
        }
        break;
      case 'SatisfactionRated':
        if (view !== undefined) {
          view = {
            ...view,
            version: event.streamVersion,
            rating: event.data.rating,
            ratedAt: event.occurredAt,
          };
        }
        break;
    }
  }
  return view;
}

export async function loadReturnView(store: EventStore, dossierId: string): Promise<ReturnView | undefined> {
  const stored = await store.readStream(streamIdFor('result-return', dossierId));
  return returnView(dossierId, stored.map(dossierEventFromStored));
}
