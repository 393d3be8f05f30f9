export { type BuildAppOptions, buildApp, type ProcessingDeps, registerProcessing } from './app.js';
export { CaseNotFound } from './case/command.js';
export { CaseView } from './case/view.js';
export {
  caseSteps,
  type OpenCaseDeps,
  openCaseOnDossierTransferred,
  ReceiptNotSeen,
} from './open-case/reactor.js';
export {
  type RememberDeps,
  rememberDossierOnDossierReceived,
  rememberWithdrawalOnDossierWithdrawn,
} from './received/reactors.js';
export {
  ReceivedDossier,
  type ReceivedDossiers,
  ReceivedRowInvalid,
  receivedDossiersTable,
  type SqlDatabase,
  type SqlTransaction,
} from './received/received-dossiers.js';
