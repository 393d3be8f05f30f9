import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, openEnvelope, pack, parseMasterKey, seal, sealEnvelope, unpack } from './crypto.js';

describe('vault crypto', () => {
  const key = randomBytes(32);

  it('given sealed data, when opened with the same key and owner, then the plaintext comes back', () => {
    const sealed = seal(key, Buffer.from('Nguyễn Văn A'), 'applicant-1');
    expect(open(key, unpack(pack(sealed)), 'applicant-1').toString()).toBe('Nguyễn Văn A');
  });

  it('given sealed data, when opened with another key, another owner, or tampered bytes, then it throws', () => {
    const packed = pack(seal(key, Buffer.from('secret'), 'applicant-1'));
    expect(() => open(randomBytes(32), unpack(packed), 'applicant-1')).toThrow();
    expect(() => open(key, unpack(packed), 'applicant-2')).toThrow();
    const tampered = Buffer.from(packed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => open(key, unpack(tampered), 'applicant-1')).toThrow();
  });

  it('given an envelope, then only the master key that wrapped its data key opens it, for its own owner', () => {
    const envelope = sealEnvelope(key, 'filer-1', Buffer.from('0905 123 456'));
    expect(envelope.sealedData.includes(Buffer.from('0905'))).toBe(false);
    expect(openEnvelope(key, 'filer-1', envelope).toString()).toBe('0905 123 456');
    expect(() => openEnvelope(randomBytes(32), 'filer-1', envelope)).toThrow();
    expect(() => openEnvelope(key, 'filer-2', envelope)).toThrow();
  });

  it('given a master key that is not 32 bytes of base64, then VAULT_KEY_INVALID', () => {
    expect(() => parseMasterKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
  });
});
