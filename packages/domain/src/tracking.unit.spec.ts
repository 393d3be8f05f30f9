import { describe, expect, it } from 'vitest';
import {
  feedbackFollowUpSecret,
  normalizeTrackingSecret,
  TRACKING_SECRET_LENGTH,
  trackingPath,
  trackingSecret,
  verifyFeedbackFollowUpSecret,
  verifyTrackingSecret,
} from './tracking.js';

const KEY = 'onestop-tracking-key-for-specs-0123456789';
const CODE = '000.00.01.H34-250915-0001';

describe('tracking secret', () => {
  it('given a known answer, then the secret matches an independent computation', () => {
    // Computed independently (Python hmac + Crockford base32).
    expect(trackingSecret(KEY, CODE)).toBe('H7GYJWJ86CZZ');
  });

  it('given another code or another key, then the secret differs', () => {
    const secret = trackingSecret(KEY, CODE);
    expect(trackingSecret(KEY, '000.00.01.H34-250915-0002')).not.toBe(secret);
    expect(trackingSecret(`${KEY}x`, CODE)).not.toBe(secret);
  });

  it('given a secret as typed from paper, then it is normalised; anything else is refused', () => {
    expect(normalizeTrackingSecret('h7gy-jwj8 6czz')).toBe('H7GYJWJ86CZZ');
    expect(normalizeTrackingSecret('o1l0I0o1l0I0')).toBe('011010011010');
    for (const bad of [
      '',
      'H7GYJWJ86CZ',
      'H7GYJWJ86CZZZ',
      'H7GYJWJ86CZU',
      '💥'.repeat(12),
      'x'.repeat(10_000),
    ]) {
      expect(normalizeTrackingSecret(bad)).toBeUndefined();
    }
  });

  it('given the right secret, then it verifies; a wrong one does not', () => {
    const secret = trackingSecret(KEY, CODE);
    expect(verifyTrackingSecret(KEY, CODE, secret)).toBe(true);
    expect(verifyTrackingSecret(KEY, CODE, `${secret.slice(0, 11)}0`)).toBe(secret.endsWith('0'));
    expect(verifyTrackingSecret(KEY, '000.00.01.H34-250915-0002', secret)).toBe(false);
    expect(verifyTrackingSecret(KEY, CODE, secret.slice(0, 6))).toBe(false);
  });

  it('given codes of one day, then each has its own secret of 12 Crockford characters', () => {
    const secrets = new Set<string>();
    for (let n = 1; n <= 200; n++) {
      const secret = trackingSecret(KEY, `000.00.01.H34-250915-${String(n).padStart(4, '0')}`);
      expect(secret).toMatch(new RegExp(`^[0-9A-HJKMNP-TV-Z]{${TRACKING_SECRET_LENGTH}}$`));
      secrets.add(secret);
    }
    expect(secrets.size).toBe(200);
  });

  it('given a code and its secret, then the tracking path carries both, URL-encoded', () => {
    const path = trackingPath(CODE, 'H7GYJWJ86CZZ');
    const url = new URL(path, 'https://dichvucong.example');
    expect(url.pathname).toBe('/tracking');
    expect(url.searchParams.get('code')).toBe(CODE);
    expect(url.searchParams.get('secret')).toBe('H7GYJWJ86CZZ');
  });
});

describe('feedback follow-up secret', () => {
  const FEEDBACK = '0195a1b2-0000-7000-8000-00000000fb01';

  it('given a feedback id, then a 12-character secret that verifies for that id only, whatever the id case', () => {
    const secret = feedbackFollowUpSecret(KEY, FEEDBACK);
    expect(secret).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(feedbackFollowUpSecret(KEY, FEEDBACK.toUpperCase())).toBe(secret);
    expect(verifyFeedbackFollowUpSecret(KEY, FEEDBACK, secret)).toBe(true);
    expect(verifyFeedbackFollowUpSecret(KEY, FEEDBACK.replace(/1$/, '2'), secret)).toBe(false);
  });

  it('given the same key, then a follow-up secret is never the tracking secret of the same text', () => {
    expect(feedbackFollowUpSecret(KEY, CODE)).not.toBe(trackingSecret(KEY, CODE));
  });
});
