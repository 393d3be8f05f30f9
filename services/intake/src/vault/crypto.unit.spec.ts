import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, createPseudonyms, open, pack, parseMasterKey, seal, unpack } from './crypto.js';

describe('vault crypto', () => {
  const key = randomBytes(32);

  it('given sealed data, when opened with the same key and applicant, then the plaintext comes back', () => {
    const sealed = seal(key, Buffer.from('Nguyễn Văn A'), 'applicant-1');
    expect(open(key, unpack(pack(sealed)), 'applicant-1').toString()).toBe('Nguyễn Văn A');
  });

  it('given sealed data, when opened with another key, another applicant, or tampered bytes, then it throws', () => {
    const packed = pack(seal(key, Buffer.from('secret'), 'applicant-1'));
    expect(() => open(randomBytes(32), unpack(packed), 'applicant-1')).toThrow();
    expect(() => open(key, unpack(packed), 'applicant-2')).toThrow();
    const tampered = Buffer.from(packed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => open(key, unpack(tampered), 'applicant-1')).toThrow();
  });

  it('given a master key that is not 32 bytes of base64, then INTAKE_VAULT_KEY_INVALID', () => {
    expect(() => parseMasterKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
  });

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
