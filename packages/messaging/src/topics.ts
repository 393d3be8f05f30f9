/** The dossier topic and its dead letters (DESIGN.md section 3, contract names): the domain owns them. */
export { DOSSIER_EVENTS_DLQ_TOPIC, DOSSIER_EVENTS_TOPIC } from '@onestop/domain';

/** Dead letters of `topic` go to `{topic}.dlq` (so `onestop.dossier-events.v1.dlq` for the dossier topic). */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
