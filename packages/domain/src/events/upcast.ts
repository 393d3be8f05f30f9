/**
 * Upcasting: events are stored forever with the schemaVersion they were written with; readers bring old
 * versions up to the current schema, one version at a time, before parsing. Stored events are never rewritten.
 */
import { z } from 'zod';
import { type DossierEventType, eventSchemaOf } from './catalogue.js';
import { eventIssues, summarizeIssues } from './event-issues.js';
import { InvalidEvent } from './invalid-event.js';
import type { SatisfactionRatedData } from './result-return.js';

export interface Upcaster {
  readonly type: DossierEventType;
  /** Takes `data` of this version to `fromVersion + 1`. */
  readonly fromVersion: number;
  /** Validates the old payload, then maps it; throws DOM_INVALID_EVENT naming the bad field. */
  readonly up: (data: unknown) => unknown;
}

/** Declares an upcaster with the old payload's schema, so the mapping receives a validated, typed value. */
export function defineUpcaster<S extends z.ZodType>(definition: {
  type: DossierEventType;
  fromVersion: number;
  from: S;
  up: (data: z.output<S>) => unknown;
}): Upcaster {
  const { type, fromVersion, from, up } = definition;
  return {
    type,
    fromVersion,
    up: (data) => {
      const result = from.safeParse(data);
      if (!result.success) {
        const issues = eventIssues(data, result.error.issues, ['data']);
        throw InvalidEvent(`invalid ${type} v${fromVersion} event: ${summarizeIssues(issues)}`, {
          details: { type, schemaVersion: fromVersion, issues },
          cause: result.error,
        });
      }
      return up(result.data);
    },
  };
}

/** SatisfactionRated v1 (the first feedback kiosks): a three-level score. */
export const SatisfactionRatedV1Data = z.object({ score: z.enum(['satisfied', 'neutral', 'dissatisfied']) });

/**
 * v1 → v2 mapping of SatisfactionRated (`score` → `rating`, 1 very satisfied … 4 very dissatisfied):
 * - `satisfied` → 2 (satisfied): v1 never recorded "very", so 1 would claim more than the citizen said;
 * - `neutral` → 2 (satisfied): the 4-level scale has no midpoint, and KPI 5.4 counts only 3 and 4 as
 *   dissatisfied; mapping neutral to 3 would rewrite historical satisfaction scores downwards;
 * - `dissatisfied` → 3 (dissatisfied): again no "very".
 * The dissatisfied share of old periods is thus unchanged by the upcast; the neutral/satisfied split is lost.
 */
export const SATISFACTION_V1_TO_V2 = {
  satisfied: 2,
  neutral: 2,
  dissatisfied: 3,
} as const satisfies Record<
  z.infer<typeof SatisfactionRatedV1Data>['score'],
  z.infer<typeof SatisfactionRatedData>['rating']
>;

export const UPCASTERS: readonly Upcaster[] = [
  defineUpcaster({
    type: 'SatisfactionRated',
    fromVersion: 1,
    from: SatisfactionRatedV1Data,
    up: ({ score }): z.infer<typeof SatisfactionRatedData> => ({ rating: SATISFACTION_V1_TO_V2[score] }),
  }),
];

const Header = z.looseObject({ type: z.string(), schemaVersion: z.int().positive(), data: z.unknown() });

/**
 * Brings a raw stored event (envelope + data) to the current schemaVersion of its type. Events of unknown
 * types, or without a readable type/version, are returned as they are: parsing reports them.
 */
export function upcast(raw: unknown, upcasters: readonly Upcaster[] = UPCASTERS): unknown {
  const header = Header.safeParse(raw);
  const schema = header.success ? eventSchemaOf(header.data.type) : undefined;
  if (!header.success || schema === undefined) return raw;
  const event = header.data;
  const type = schema.shape.type.value;
  const current = schema.shape.schemaVersion.value;
  if (event.schemaVersion > current) {
    throw InvalidEvent(
      `${type} v${event.schemaVersion} is newer than this build knows (v${current}): deploy the newer consumer`,
      {
        details: {
          type,
          schemaVersion: event.schemaVersion,
          issues: [
            { path: 'schemaVersion', message: `at most ${current}`, value: String(event.schemaVersion) },
          ],
        },
      },
    );
  }
  let data = event.data;
  for (let version = event.schemaVersion; version < current; version++) {
    const step = upcasters.find((u) => u.type === type && u.fromVersion === version);
    if (step === undefined) {
      throw InvalidEvent(`no upcaster for ${type} from v${version} to v${version + 1}`, {
        details: {
          type,
          schemaVersion: event.schemaVersion,
          issues: [{ path: 'schemaVersion', message: 'no upcaster', value: String(version) }],
        },
      });
    }
    try {
      data = step.up(data);
    } catch (error) {
      // The upcaster sees only the payload: name the stored event it came from, as parsing errors do.
      const eventId = event.eventId;
      if (!InvalidEvent.is(error) || typeof eventId !== 'string') throw error;
      const { issues } = error.details;
      throw InvalidEvent(`invalid ${type} v${version} ${eventId}: ${summarizeIssues(issues)}`, {
        details: { type, schemaVersion: version, eventId, issues },
        cause: error.cause,
      });
    }
  }
  return { ...event, schemaVersion: current, data };
}
