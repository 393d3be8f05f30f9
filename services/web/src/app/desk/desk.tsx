import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { navigate } from '../context.js';
import { isMessageKey, useI18n } from '../i18n.js';
import { formatDateTime } from '../lib/format.js';
import { useRefresh } from '../refresh.js';
import { DeskDay, type Procedure, WaitingResults } from '../schemas.js';
import type { Session } from '../session.js';
import { ErrorNotice, Notice, TextField, useAsync } from '../ui.js';
import { DossierPanel } from './dossier-panel.js';
import { ProcedureSearch, ReceiveForm } from './receive-form.js';

/** How often the desk's lists are read again, so every device of the centre sees the others' work. */
const REFRESH_MS = 15_000;

/** The desk: find a procedure and receive a dossier, or work on one of today's dossiers or waiting results. */
export function DeskScreen({ user, dossierId }: { user: Session; dossierId: string | undefined }) {
  const { t } = useI18n();
  // An admin at the desk acts for no centre: no centre's lists to show.
  const unitId = user.unitId === undefined ? undefined : encodeURIComponent(user.unitId);
  const [procedure, setProcedure] = useState<Procedure | undefined>(undefined);
  const [received, setReceived] = useState<{ id: string; code: string } | undefined>(undefined);
  const [lookup, setLookup] = useState('');
  const { tick, follow } = useRefresh(REFRESH_MS);
  const today = useAsync(
    async () => (unitId === undefined ? undefined : request(DeskDay, `/v1/intake/units/${unitId}/received`)),
    [unitId, tick],
  );
  const waiting = useAsync(
    async () =>
      unitId === undefined ? undefined : request(WaitingResults, `/v1/return/units/${unitId}/waiting`),
    [unitId, tick, dossierId],
  );

  const statusLabel = (status: string) => {
    const key = `deskStatus.${status}`;
    return isMessageKey(key) ? t(key) : status;
  };

  return (
    <div class="layout">
      <div class="stack">
        {dossierId ? (
          <>
            <button type="button" class="link" onClick={() => navigate('#/desk')}>
              ← {t('receiveTitle')}
            </button>
            {received?.id === dossierId && (
              <Notice kind="ok">{t('receivedOk', { code: received.code })}</Notice>
            )}
            <DossierPanel key={dossierId} dossierId={dossierId} onChanged={follow} />
          </>
        ) : (
          <>
            <ProcedureSearch onPick={setProcedure} />
            {procedure && (
              <ReceiveForm
                key={procedure.code}
                user={user}
                procedure={procedure}
                onReceived={(answer) => {
                  setReceived({ id: answer.dossierId, code: answer.dossierCode });
                  setProcedure(undefined);
                  follow();
                  navigate(`#/desk/${answer.dossierId}`);
                }}
              />
            )}
          </>
        )}
      </div>
      <aside class="stack" aria-label={t('todayList')}>
        {unitId !== undefined && (
          <>
            <section class="card" aria-labelledby="today-title">
              <h2 id="today-title">{t('todayList')}</h2>
              <small class="hint">{t('todayListNote')}</small>
              <ErrorNotice error={today.error} onRetry={today.reload} />
              {today.data && today.data.dossiers.length === 0 && <p>{t('noneToday')}</p>}
              {today.data && today.data.dossiers.length > 0 && (
                <ul class="today" data-testid="today">
                  {today.data.dossiers.map((e) => (
                    <li key={e.dossierId} data-status={e.status}>
                      <a
                        href={`#/desk/${e.dossierId}`}
                        aria-current={e.dossierId === dossierId ? 'true' : undefined}
                      >
                        <span class="code">{e.dossierCode}</span>
                      </a>
                      <br />
                      <small>
                        {e.procedureName} · {formatDateTime(e.receivedAt)} · {statusLabel(e.status)}
                      </small>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section class="card" aria-labelledby="waiting-title">
              <h2 id="waiting-title">{t('waitingResults')}</h2>
              <ErrorNotice error={waiting.error} onRetry={waiting.reload} />
              {waiting.data && waiting.data.results.length === 0 && <p>{t('noneWaiting')}</p>}
              {waiting.data && waiting.data.results.length > 0 && (
                <ul class="today" data-testid="waiting">
                  {waiting.data.results.map((r) => (
                    <li key={r.dossierId}>
                      <a
                        href={`#/desk/${r.dossierId}`}
                        aria-current={r.dossierId === dossierId ? 'true' : undefined}
                      >
                        <span class="code">{r.dossierCode ?? r.dossierId}</span>
                      </a>
                      <br />
                      <small>
                        {r.procedureCode ?? ''} · {formatDateTime(r.receivedAt)}
                      </small>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </>
        )}
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            if (lookup.trim()) navigate(`#/desk/${lookup.trim()}`);
          }}
        >
          <TextField name="lookup" label={t('openDossier')} value={lookup} onValue={setLookup} />
          <button type="submit" class="secondary">
            {t('open')}
          </button>
        </form>
      </aside>
    </div>
  );
}
