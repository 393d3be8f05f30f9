/**
 * The keyed pseudonyms intake derives from the vault's master key (the envelope encryption itself is in
 * `@onestop/vault`). Pseudonyms (applicant ids, request fingerprints) are HMAC-SHA256 under keys derived from the
 * master key with HKDF, one per purpose, so a leak of one derived key reveals nothing about the others or the
 * master.
 */
import { createHmac } from 'node:crypto';
import { deriveKey } from '@onestop/vault';

/** A UUID (version 8, RFC 9562 variant) made of the first 16 bytes of `digest`. */
function uuidFromDigest(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = 0x80 | ((b[6] ?? 0) & 0x0f);
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface Pseudonyms {
  /**
   * One person, one applicant id: HMAC of the normalised ID number. Chosen over a fresh id per receipt so that an
   * erasure request ("forget me") shreds everything of that person at once, and repeat applicants can be counted
   * without knowing who they are. The id is not reversible without the master key (a bare hash of a 12-digit
   * number would be, by enumeration). The master key must therefore be kept across key rotations of the
   * wrapping key, or applicant ids would change.
   */
  applicantId(idNumber: string): string;
  /** A keyed fingerprint of a request body: compares bodies without putting their personal data in the log. */
  requestFingerprint(value: unknown): string;
}

export function createPseudonyms(masterKey: Buffer): Pseudonyms {
  const idKey = deriveKey(masterKey, 'onestop/intake/applicant-id/v1');
  const requestKey = deriveKey(masterKey, 'onestop/intake/request-fingerprint/v1');
  return {
    applicantId: (idNumber) =>
      uuidFromDigest(createHmac('sha256', idKey).update(idNumber.trim().toUpperCase()).digest()),
    requestFingerprint: (value) =>
      createHmac('sha256', requestKey).update(canonicalJson(value)).digest('hex'),
  };
}

/** JSON with object keys sorted, so two equal bodies fingerprint alike whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
