import { useEffect, useState } from 'preact/hooks';
import { businessNow } from '../api.js';
import { navigate } from '../context.js';
import { useI18n } from '../i18n.js';
import { formatDateTime } from '../lib/format.js';
import type { Procedure } from '../schemas.js';
import type { Session } from '../session.js';
import { Notice, TextField } from '../ui.js';
import { DossierPanel } from './dossier-panel.js';
import { ProcedureSearch, ReceiveForm } from './receive-form.js';
import { rememberDossier, type TodayEntry, todaysDossiers } from './today.js';

/** The desk: find a procedure and receive a dossier, or work on one of today's dossiers. */
export function DeskScreen({ user, dossierId }: { user: Session; dossierId: string | undefined }) {
  const { t } = useI18n();
  const unitId = user.unitId ?? '';
  const [procedure, setProcedure] = useState<Procedure | undefined>(undefined);
  const [today, setToday] = useState<TodayEntry[]>([]);
  const [received, setReceived] = useState<string | undefined>(undefined);
  const [lookup, setLookup] = useState('');
  useEffect(() => {
    void businessNow().then((now) => setToday(todaysDossiers(unitId, now)));
  }, [unitId, received]);

  return (
    <div class="layout">
      <div class="stack">
        {dossierId ? (
          <>
            <button type="button" class="link" onClick={() => navigate('#/desk')}>
              ← {t('receiveTitle')}
            </button>
            {received && <Notice kind="ok">{t('receivedOk', { code: received })}</Notice>}
            <DossierPanel key={dossierId} dossierId={dossierId} />
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
                  rememberDossier(unitId, {
                    dossierId: answer.dossierId,
                    dossierCode: answer.dossierCode,
                    procedureName: answer.receipt.procedure.name,
                    receivedAt: answer.receipt.receivedAt,
                  });
                  setReceived(answer.dossierCode);
                  setProcedure(undefined);
                  navigate(`#/desk/${answer.dossierId}`);
                }}
              />
            )}
          </>
        )}
      </div>
      <aside class="stack" aria-labelledby="today-title">
        <section class="card">
          <h2 id="today-title">{t('todayList')}</h2>
          <small class="hint">{t('todayListNote')}</small>
          {today.length === 0 ? (
            <p>{t('noneToday')}</p>
          ) : (
            <ul class="today" data-testid="today">
              {today.map((e) => (
                <li key={e.dossierId}>
                  <a
                    href={`#/desk/${e.dossierId}`}
                    aria-current={e.dossierId === dossierId ? 'true' : undefined}
                  >
                    <span class="code">{e.dossierCode}</span>
                  </a>
                  <br />
                  <small>
                    {e.procedureName} · {formatDateTime(e.receivedAt)}
                  </small>
                </li>
              ))}
            </ul>
          )}
        </section>
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
