import { describe, it } from 'vitest';
import { ValidationFailed } from '../errors.js';
import type { Actor } from '../events/index.js';
import { type DigitizationCommand, digitizationDecider } from './digitization.js';
import { specify } from './spec.js';

const spec = specify(digitizationDecider);
const now = new Date('2025-03-03T02:10:00.000Z');
const clerk: Actor = { id: 'clerk-1', role: 'clerk', unitId: 'unit-hn-01' };
const shaA = 'a'.repeat(64);
const shaB = 'b'.repeat(64);
const file = { now, actor: clerk, sha256: shaA, sizeBytes: 2048, mediaType: 'application/pdf' } as const;
const meta = { occurredAt: now.toISOString(), actor: clerk };

const scanned = {
  type: 'DigitizeComponent',
  ...file,
  componentCode: 'TP01',
  source: 'scanned',
} satisfies DigitizationCommand;
const scannedEvent = {
  type: 'ComponentDigitized',
  data: {
    componentCode: 'TP01',
    sha256: shaA,
    sizeBytes: 2048,
    mediaType: 'application/pdf',
    source: 'scanned',
  },
  ...meta,
} as const;

describe('digitization decider', () => {
  it('given nothing, when a component is scanned, then ComponentDigitized', () => {
    spec.given([]).when(scanned).thenEmits([scannedEvent]);
  });

  it('when a component is reused by reference, then the reference and the signer are kept', () => {
    const reusedFrom = 'digitization-0195a1b2-0000-7000-8000-000000000009/TP01';
    spec
      .given([])
      .when({ ...scanned, source: 'reused', reusedFrom, signer: 'cert:unit-hn-01' })
      .thenEmits([
        {
          type: 'ComponentDigitized',
          data: { ...scannedEvent.data, source: 'reused', signer: 'cert:unit-hn-01', reusedFrom },
          ...meta,
        },
      ]);
  });

  it.each([
    ['reused without a reference', { source: 'reused' }],
    ['fetched from the national store without a reference', { source: 'national_store' }],
    ['scanned with a reference', { source: 'scanned', reusedFrom: 'digitization-x/TP01' }],
  ] as const)('when %s, then a validation error names reusedFrom', (_case, patch) => {
    spec
      .given([])
      .when({ ...scanned, ...patch })
      .thenThrows({ code: ValidationFailed.code, message: /reusedFrom: required when source is reused/ });
  });

  it('given the same content digitized before, when digitized again, then nothing (a retry)', () => {
    spec.given([scannedEvent]).when(scanned).thenNothing();
  });

  it('given a component digitized before, when new content comes, then it is replaced', () => {
    spec
      .given([scannedEvent])
      .when({ ...scanned, sha256: shaB })
      .thenEmits([{ ...scannedEvent, data: { ...scannedEvent.data, sha256: shaB } }]);
  });

  it('digitizes the result once per content', () => {
    const result = { type: 'DigitizeResult', ...file, source: 'scanned' } satisfies DigitizationCommand;
    const resultEvent = {
      type: 'ResultDigitized',
      data: { sha256: shaA, sizeBytes: 2048, mediaType: 'application/pdf', source: 'scanned' },
      ...meta,
    } as const;
    spec.given([scannedEvent]).when(result).thenEmits([resultEvent]);
    spec.given([scannedEvent, resultEvent]).when(result).thenNothing();
  });

  it.each([
    ['sha256', { sha256: 'XYZ' }],
    ['sizeBytes', { sizeBytes: 0 }],
    ['mediaType', { mediaType: 'pdf' }],
  ])('when %s is malformed, then a validation error names it', (field, patch) => {
    spec
      .given([])
      .when({ ...scanned, ...patch })
      .thenThrows({
        code: ValidationFailed.code,
        message: new RegExp(`^invalid digitization command: ${field}:`),
      });
  });
});
