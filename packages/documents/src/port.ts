/**
 * Where uploaded documents live (digitized components and results, feedback attachments): content-addressed by
 * SHA-256, so the same content is stored once however many records reference it, and an event's `sha256` is all
 * it takes to find the file. The filesystem adapter is the
 * default; an S3-compatible adapter implements the same three methods.
 */
export interface PutResult {
  readonly sha256: string;
  readonly size: number;
  /** False when the content was already stored (nothing was written). */
  readonly created: boolean;
}

export interface DocumentStorage {
  /** Stores `bytes` under their SHA-256; only complete content ever becomes visible under that name. */
  put(bytes: Uint8Array): Promise<PutResult>;
  /** The content, or undefined when nothing is stored under `sha256`. */
  get(sha256: string): Promise<Buffer | undefined>;
  has(sha256: string): Promise<boolean>;
}

export const isSha256 = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);
