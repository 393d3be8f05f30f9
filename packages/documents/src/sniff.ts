/**
 * Media type from the content's magic bytes, never from the file name or the client's word: a renamed .exe
 * must not be filed as a PDF. Digitization (scans of dossier components) and feedback (evidence attached by
 * citizens) accept the same formats: the domain's `AcceptedMediaType`.
 */
import { AcceptedMediaType } from '@onestop/domain';

export const ACCEPTED_MEDIA_TYPES = AcceptedMediaType.options;

interface Signature {
  readonly mediaType: string;
  readonly magic: readonly number[];
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const signatures: readonly Signature[] = [
  { mediaType: 'application/pdf', magic: ascii('%PDF-') },
  { mediaType: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { mediaType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mediaType: 'image/tiff', magic: [0x49, 0x49, 0x2a, 0x00] },
  { mediaType: 'image/tiff', magic: [0x4d, 0x4d, 0x00, 0x2a] },
  // Refused types are still named, so the error tells the clerk what was actually sent.
  { mediaType: 'application/vnd.microsoft.portable-executable', magic: ascii('MZ') },
  { mediaType: 'application/x-executable', magic: [0x7f, 0x45, 0x4c, 0x46] },
  { mediaType: 'application/zip', magic: [0x50, 0x4b, 0x03, 0x04] },
  { mediaType: 'image/gif', magic: ascii('GIF8') },
];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

const textControls = new Set([0x09, 0x0a, 0x0d]);

function looksLikeText(bytes: Uint8Array): boolean {
  // A truncated multi-byte character at the sample's end is not a reason to call it binary.
  const sample = bytes.subarray(0, 4096);
  if (sample.length === 0) return false;
  if (sample.some((b) => b < 0x20 && !textControls.has(b))) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The media type the content declares by its first bytes; `application/octet-stream` when unknown. */
export function sniffMediaType(bytes: Uint8Array): string {
  const match = signatures.find((s) => startsWith(bytes, s.magic));
  if (match !== undefined) return match.mediaType;
  return looksLikeText(bytes) ? 'text/plain' : 'application/octet-stream';
}

export function isAcceptedMediaType(mediaType: string): mediaType is AcceptedMediaType {
  return (ACCEPTED_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

const aliases: Readonly<Record<string, AcceptedMediaType>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/tif': 'image/tiff',
};

/** A declared media type in its canonical form: lower case, parameters dropped, common aliases resolved. */
export function canonicalMediaType(declared: string): string {
  const essence = (declared.split(';')[0] ?? '').trim().toLowerCase();
  return aliases[essence] ?? essence;
}

const extensions: Readonly<Record<AcceptedMediaType, string>> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/tiff': 'tif',
};

/** The file extension of a download (`<sha256>.<ext>`): file names are never recorded. */
export function extensionOf(mediaType: string): string {
  return isAcceptedMediaType(mediaType) ? extensions[mediaType] : 'bin';
}
