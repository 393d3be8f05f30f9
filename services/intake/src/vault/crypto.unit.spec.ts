import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, createPseudonyms } from './crypto.js';

describe('intake pseudonyms', () => {
  const key = randomBytes(32);

  it('given one ID number, then one applicant id (a UUID), distinct per master key', () => {
    const a = createPseudonyms(key);
    const id = a.applicantId('056090000001');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.applicantId(' 056090000001 ')).toBe(id);
    expect(a.applicantId('056090000002')).not.toBe(id);
    expect(createPseudonyms(randomBytes(32)).applicantId('056090000001')).not.toBe(id);
  });

  it('given two bodies equal up to key order, then one fingerprint; a different body, another', () => {
    const p = createPseudonyms(key);
    expect(p.requestFingerprint({ a: 1, b: { c: 2, d: 3 } })).toBe(
      p.requestFingerprint({ b: { d: 3, c: 2 }, a: 1 }),
    );
    expect(p.requestFingerprint({ a: 1 })).not.toBe(p.requestFingerprint({ a: 2 }));
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});
