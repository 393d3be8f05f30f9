import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError, defineError, isDomainError } from './errors.js';
import { parseOrThrow } from './validation.js';

describe('DomainError', () => {
  it('is recognised by brand, carries code, kind, details and cause', () => {
    const Boom = defineError<{ n: number }>('TEST_BOOM', 'conflict');
    const cause = new Error('root');
    const error = Boom('it broke', { details: { n: 1 }, cause });
    expect(isDomainError(error)).toBe(true);
    expect(Boom.is(error)).toBe(true);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'TEST_BOOM',
      kind: 'conflict',
      details: { n: 1 },
      message: 'it broke',
    });
    expect(error.cause).toBe(cause);
    expect(isDomainError(new Error('plain'))).toBe(false);
    expect(isDomainError({ code: 'TEST_BOOM' })).toBe(false);
  });

  it('rejects badly shaped codes at definition time', () => {
    expect(() => defineError('lowercase', 'internal')).toThrow(/invalid error code/);
  });

  it('parseOrThrow names every offending field path', () => {
    const schema = z.object({ a: z.object({ b: z.number() }), c: z.string() });
    try {
      parseOrThrow(schema, { a: { b: 'x' } }, 'thing');
      expect.unreachable();
    } catch (error) {
      expect(isDomainError(error)).toBe(true);
      const details = (error as DomainError).details as { issues: Array<{ path: string }> };
      expect(details.issues.map((i) => i.path).sort()).toEqual(['a.b', 'c']);
      expect((error as DomainError).message).toMatch(/^invalid thing: /);
    }
  });
});
