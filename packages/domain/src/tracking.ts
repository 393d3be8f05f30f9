/**
 * The receipt's tracking secret: a keyed MAC of the dossier code, printed on Form 01 and in its QR code, that
 * lets whoever holds the receipt follow the dossier on the public tracking page without signing in. Nothing is
 * stored: intake prints it and the projection recomputes it with the same key (`ONESTOP_TRACKING_KEY`) to check
 * a request. Without the key a code alone reveals nothing, so codes of other applicants cannot be enumerated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a secret typed from paper is not misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 characters = 60 bits of the MAC: far beyond what a rate-limited endpoint lets anyone guess. */
export const TRACKING_SECRET_LENGTH = 12;
/** Domain separation: the same key also signs feedback follow-up secrets. */
const CONTEXT = 'onestop.tracking.v1:';
const FEEDBACK_CONTEXT = 'onestop.feedback-follow-up.v1:';

/** The tracking secret of `dossierCode` under `key` (HMAC-SHA256, first 60 bits, Crockford base32). */
export function trackingSecret(key: string, dossierCode: string): string {
  return macSecret(key, `${CONTEXT}${dossierCode}`);
}

/**
 * The secret a citizen gets when filing feedback without an account: with the feedback's reference (its id) it
 * opens the item's public status and lets them rate the answer or follow up. Same form as the tracking secret
 * (and typed the same way), under the same key but another context, so one can never stand in for the other.
 */
export function feedbackFollowUpSecret(key: string, feedbackId: string): string {
  return macSecret(key, `${FEEDBACK_CONTEXT}${feedbackId.toLowerCase()}`);
}

/** Whether `presented` (canonical) is the follow-up secret of `feedbackId`; constant time in its content. */
export function verifyFeedbackFollowUpSecret(key: string, feedbackId: string, presented: string): boolean {
  return sameSecret(feedbackFollowUpSecret(key, feedbackId), presented);
}

function macSecret(key: string, message: string): string {
  const mac = createHmac('sha256', key).update(message, 'utf8').digest();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of mac) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < TRACKING_SECRET_LENGTH) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
    if (out.length === TRACKING_SECRET_LENGTH) break;
  }
  return out;
}

/** The public tracking page's path for a receipt (the QR code adds the site's origin). */
export function trackingPath(dossierCode: string, secret: string): string {
  return `/tracking?${new URLSearchParams({ code: dossierCode, secret }).toString()}`;
}

// Crockford decoding: case-insensitive, O is 0, I and L are 1; spaces and dashes a person typed are ignored.
const CONFUSABLE: Readonly<Record<string, string>> = { O: '0', I: '1', L: '1' };
const SECRET_PATTERN = new RegExp(`^[${ALPHABET}]{${TRACKING_SECRET_LENGTH}}$`);

/** The canonical form of a secret as typed or scanned, or undefined when it cannot be one. */
export function normalizeTrackingSecret(input: string): string | undefined {
  if (input.length > 64) return undefined;
  const canonical = input
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/[OIL]/g, (c) => CONFUSABLE[c] ?? c);
  return SECRET_PATTERN.test(canonical) ? canonical : undefined;
}

/** Whether `presented` (canonical) is the secret of `dossierCode`; constant time in the secret's content. */
export function verifyTrackingSecret(key: string, dossierCode: string, presented: string): boolean {
  return sameSecret(trackingSecret(key, dossierCode), presented);
}

function sameSecret(expectedSecret: string, presented: string): boolean {
  const expected = Buffer.from(expectedSecret, 'ascii');
  const given = Buffer.from(presented, 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
