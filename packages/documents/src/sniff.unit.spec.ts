import { describe, expect, it } from 'vitest';
import { canonicalMediaType, extensionOf, isAcceptedMediaType, sniffMediaType } from './sniff.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (s: string) => new TextEncoder().encode(s);

describe('sniffMediaType', () => {
  it.each([
    ['application/pdf', text('%PDF-1.4\n...')],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)],
    ['image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0)],
    ['image/tiff', bytes(0x49, 0x49, 0x2a, 0x00, 8, 0)],
    ['image/tiff', bytes(0x4d, 0x4d, 0x00, 0x2a, 0, 8)],
  ])('given the magic bytes of %s, then that type is detected and accepted', (expected, content) => {
    expect(sniffMediaType(content)).toBe(expected);
    expect(isAcceptedMediaType(sniffMediaType(content))).toBe(true);
  });

  it.each([
    ['a Windows executable', text('MZ\x90\x00\x03'), 'application/vnd.microsoft.portable-executable'],
    ['an ELF binary', bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1), 'application/x-executable'],
    ['a zip archive', bytes(0x50, 0x4b, 0x03, 0x04, 0x14), 'application/zip'],
    ['plain text', text('Giấy khai sinh\r\nnot a PDF'), 'text/plain'],
    ['unknown binary', bytes(0x00, 0x01, 0x02, 0xfe), 'application/octet-stream'],
    ['a truncated PNG signature', bytes(0x89, 0x50, 0x4e, 0x47), 'application/octet-stream'],
  ])('given %s, then it is named and refused', (_what, content, expected) => {
    expect(sniffMediaType(content)).toBe(expected);
    expect(isAcceptedMediaType(sniffMediaType(content))).toBe(false);
  });

  it('given "%PDF" without the dash, then it is not a PDF', () => {
    expect(sniffMediaType(text('%PDF'))).toBe('text/plain');
  });
});

describe('canonicalMediaType', () => {
  it('lower-cases, drops parameters and resolves aliases', () => {
    expect(canonicalMediaType('Application/PDF; charset=binary')).toBe('application/pdf');
    expect(canonicalMediaType('image/jpg')).toBe('image/jpeg');
    expect(canonicalMediaType('image/tif')).toBe('image/tiff');
  });
});

describe('extensionOf', () => {
  it('given an accepted type, then its usual extension; anything else, bin', () => {
    expect(extensionOf('application/pdf')).toBe('pdf');
    expect(extensionOf('image/tiff')).toBe('tif');
    expect(extensionOf('application/zip')).toBe('bin');
  });
});
