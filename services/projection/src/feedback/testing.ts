/**
 * Given-events builder of the feedback specs: drives the real feedback decider (so every due and `late` flag is
 * the one the feedback service would record) and wraps what it decides in catalogue-valid envelopes. Times are
 * Vietnam local (`2026-03-09T09:00`).
 */
import { randomUUID } from 'node:crypto';
import {
  type Actor,
  currentSchemaVersion,
  DossierEvent,
  type FeedbackCommand,
  type FeedbackState,
  feedbackDecider,
  streamIdOfEvent,
} from '@onestop/domain';
import { uuidv7 } from '@onestop/service-kit';
import { vn } from '../testing/scenario.js';

type Subject =
  | { readonly kind: 'unit' }
  | { readonly kind: 'dossier'; readonly dossierId: string; readonly dossierCode: string };

export class FeedbackScenario {
  readonly feedbackId = randomUUID();
  readonly events: DossierEvent[] = [];
  private state: FeedbackState = feedbackDecider.initialState();
  private version = 0;
  private readonly key: string;
  private readonly officer: Actor;

  constructor(
    readonly unitId: string,
    filedAt: string,
    subject: Subject = { kind: 'unit' },
    category: 'report' | 'recommendation' = 'report',
  ) {
    this.key = subject.kind === 'dossier' ? subject.dossierId : this.feedbackId;
    this.officer = { id: 'specialist-1', role: 'specialist', unitId };
    this.run({
      type: 'FileFeedback',
      now: new Date(vn(filedAt)),
      actor: { id: 'clerk-1', role: 'clerk', unitId },
      feedbackId: this.feedbackId,
      subject: subject.kind === 'unit' ? { kind: 'unit', unitId } : subject,
      responsibleUnitId: unitId,
      channel: 'online',
      category,
      filerId: randomUUID(),
    });
  }

  /** The officer's command at `local`. */
  private by(local: string) {
    return { now: new Date(vn(local)), actor: this.officer };
  }

  private run(command: FeedbackCommand): this {
    const decided = feedbackDecider.decide(command, this.state);
    for (const event of decided) {
      this.state = feedbackDecider.evolve(this.state, event);
      this.events.push(
        DossierEvent.parse({
          eventId: uuidv7(),
          type: event.type,
          schemaVersion: currentSchemaVersion(event.type),
          dossierId: this.key,
          streamId: streamIdOfEvent({ source: 'feedback', dossierId: this.key, data: event.data }),
          streamVersion: this.version++,
          occurredAt: event.occurredAt,
          recordedAt: event.occurredAt,
          source: 'feedback',
          correlationId: 'spec',
          causationId: 'spec',
          actor: event.actor,
          data: event.data,
        }),
      );
    }
    return this;
  }

  accept(local: string): this {
    return this.run({ type: 'AcceptFeedback', ...this.by(local) });
  }
  refuse(local: string): this {
    return this.run({ type: 'RefuseFeedback', ...this.by(local), reason: 'không thuộc thẩm quyền' });
  }
  requestInfo(local: string): this {
    return this.run({ type: 'RequestFeedbackInfo', ...this.by(local), reason: 'cần bổ sung thông tin' });
  }
  answer(local: string): this {
    return this.run({ type: 'AnswerFeedback', ...this.by(local), answer: 'Đã xử lý theo quy định.' });
  }
  publish(local: string): this {
    return this.run({ type: 'PublishFeedbackAnswer', ...this.by(local) });
  }
  rate(local: string, rating: 'satisfied' | 'dissatisfied'): this {
    return this.run({ type: 'RateFeedbackAnswer', ...this.by(local), rating });
  }
  followUp(local: string): this {
    return this.run({ type: 'FollowUpFeedback', ...this.by(local) });
  }
  /** Accepted, answered and published the same morning, rated `rating`: no stage late. */
  handledOnTime(day: string, rating?: 'satisfied' | 'dissatisfied'): this {
    this.accept(`${day}T09:30`).answer(`${day}T10:00`).publish(`${day}T10:30`);
    return rating === undefined ? this : this.rate(`${day}T11:00`, rating);
  }
}
