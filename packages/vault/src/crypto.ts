/**
 * Envelope encryption of the vault. Each owner's data is encrypted with AES-256-GCM under its own random 256-bit
 * data key; the data key is itself encrypted (wrapped) with AES-256-GCM under the master key. Both use the owner
 * id as additional authenticated data, so a ciphertext or wrapped key copied onto another row fails to decrypt.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { defineError } from '@onestop/domain';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export const VaultKeyInvalid = defineError('VAULT_KEY_INVALID', 'validation');

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

/** A key for one purpose derived from the master key (HKDF-SHA256): a leak of one reveals nothing of the others. */
export function deriveKey(masterKey: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
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

/** The two columns of an owner's row. */
export interface Envelope {
  readonly wrappedKey: Buffer;
  readonly sealedData: Buffer;
}

/** Seals `plaintext` under a fresh data key and wraps that key under the master key. */
export function sealEnvelope(masterKey: Buffer, ownerId: string, plaintext: Buffer): Envelope {
  const dataKey = randomBytes(32);
  const sealedData = pack(seal(dataKey, plaintext, ownerId));
  const wrappedKey = pack(seal(masterKey, dataKey, ownerId));
  dataKey.fill(0);
  return { wrappedKey, sealedData };
}

/** Unwraps the data key and opens the data; throws when either does not authenticate. */
export function openEnvelope(masterKey: Buffer, ownerId: string, envelope: Envelope): Buffer {
  const dataKey = open(masterKey, unpack(envelope.wrappedKey), ownerId);
  try {
    return open(dataKey, unpack(envelope.sealedData), ownerId);
  } finally {
    dataKey.fill(0);
  }
}
