/**
 * Envelope encryption for the vault, and the keyed pseudonyms intake derives from the same master key.
 *
 * - Each applicant's data is encrypted with AES-256-GCM under its own random 256-bit data key; the data key is
 *   itself encrypted (wrapped) with AES-256-GCM under the master key. Both use the applicant id as additional
 *   authenticated data, so a ciphertext or wrapped key copied onto another row fails to decrypt.
 * - Pseudonyms (applicant ids, request fingerprints) are HMAC-SHA256 under keys derived from the master key with
 *   HKDF, one per purpose, so a leak of one derived key reveals nothing about the others or the master.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { PersonalData, VaultKeyInvalid } from './port.js';
import type { SealedRow } from './put-batcher.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses `ONESTOP_VAULT_MASTER_KEY`: exactly 32 bytes, base64. */
export function parseMasterKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32 || key.toString('base64') !== base64.trim()) {
    throw VaultKeyInvalid('the vault master key must be 32 bytes, base64-encoded');
  }
  return key;
}

/** A short, non-secret id of a master key: stored with each wrapped key so a rotation can tell them apart. */
export function keyFingerprint(masterKey: Buffer): string {
  return createHash('sha256')
    .update('onestop/vault/fingerprint')
    .update(masterKey)
    .digest('hex')
    .slice(0, 16);
}

export interface Sealed {
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** Throws when the tag does not verify (wrong key, wrong AAD, tampered bytes). */
export function open(key: Buffer, sealed: Sealed, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

/** `iv ‖ tag ‖ ciphertext` in one column. */
export function pack(sealed: Sealed): Buffer {
  return Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]);
}

export function unpack(bytes: Buffer): Sealed {
  return {
    iv: bytes.subarray(0, IV_BYTES),
    tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    ciphertext: bytes.subarray(IV_BYTES + TAG_BYTES),
  };
}

/** Seals an applicant's data under a fresh data key and wraps that key under the master key. */
export function sealRow(
  masterKey: Buffer,
  applicantId: string,
  data: PersonalData,
  unlessErased: boolean,
): SealedRow {
  const plaintext = Buffer.from(JSON.stringify(PersonalData.parse(data)), 'utf8');
  const dataKey = randomBytes(32);
  const sealedData = pack(seal(dataKey, plaintext, applicantId));
  const wrappedKey = pack(seal(masterKey, dataKey, applicantId));
  dataKey.fill(0);
  return { applicantId, wrappedKey, sealedData, unlessErased };
}

function derive(masterKey: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
}

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
  const idKey = derive(masterKey, 'onestop/intake/applicant-id/v1');
  const requestKey = derive(masterKey, 'onestop/intake/request-fingerprint/v1');
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
