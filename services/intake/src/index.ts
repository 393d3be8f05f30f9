export { type BuildAppOptions, buildApp, type IntakeDeps, registerIntake } from './app.js';
export { type DeskDossier, type DeskDossiers, deskDossiersTable } from './desk/table.js';
export { type DossierView, foldDossier, readDossier } from './dossier/view.js';
export * from './errors.js';
export {
  buildReceipt,
  formatVietnamTime,
  Receipt,
  type ReceiptOptions,
  renderReceiptHtml,
} from './receipt/receipt.js';
export { claimIdempotencyKey, IDEMPOTENCY_KEY_CLAIMED, idempotencyStreamId } from './receive/idempotency.js';
export { ReceiveBody, ReceiveResponse } from './receive/route.js';
export {
  DOSSIER_CODE_DRAWN,
  type DossierCodeAllocator,
  dossierCodeAllocator,
  sequenceStreamId,
} from './receive/sequence.js';
export { createPseudonyms, type Pseudonyms } from './vault/crypto.js';
export * from './vault/port.js';
export { postgresPersonalDataVault } from './vault/postgres-vault.js';
export { sqlitePersonalDataVault } from './vault/sqlite-vault.js';
