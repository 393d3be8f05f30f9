import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { useUnits } from '../context.js';
import { type MessageKey, statusText, useI18n } from '../i18n.js';
import { formatDateTime } from '../lib/format.js';
import { DigitizationView, IntakeDossier, ProcedureList, Receipt, ReturnView } from '../schemas.js';
import { ErrorNotice, Notice, SelectField, TextField, useAsync, useCommand } from '../ui.js';
import { ReceiptSlip } from './receipt-slip.js';
import { ComponentUpload } from './uploads.js';

/** A 404 means "not there yet" (nothing digitized, no result at the desk), not a failure. */
async function unlessMissing<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Everything the desk does with one received dossier: receipt, scans, transfer, withdrawal, result return.
 * `onChanged` hears of each command that moved the dossier (the desk's shared lists then catch up).
 */
export function DossierPanel({ dossierId, onChanged }: { dossierId: string; onChanged?: () => void }) {
  const { t } = useI18n();
  const units = useUnits();
  const data = useAsync(async () => {
    const [dossier, receipt, digitized, atDesk] = await Promise.all([
      request(IntakeDossier, `/v1/intake/dossiers/${dossierId}`),
      request(Receipt, `/v1/intake/dossiers/${dossierId}/receipt?includeApplicantName=true`),
      unlessMissing(request(DigitizationView, `/v1/digitization/dossiers/${dossierId}`)),
      unlessMissing(request(ReturnView, `/v1/return/dossiers/${dossierId}`)),
    ]);
    const procedure = (
      await request(ProcedureList, `/v1/catalog/procedures?q=${dossier.procedure.code}`)
    ).procedures.find((p) => p.code === dossier.procedure.code);
    return { dossier, receipt, digitized, atDesk, procedure };
  }, [dossierId]);

  if (data.data === undefined) {
    return data.error ? <ErrorNotice error={data.error} onRetry={data.reload} /> : <p>{t('loading')}</p>;
  }
  const { dossier, receipt, digitized, atDesk, procedure } = data.data;
  const changed = () => {
    data.reload();
    onChanged?.();
  };
  const components =
    procedure?.components ?? receipt.componentsReceived.map((c) => ({ ...c, required: true }));
  return (
    <div class="stack" data-testid="dossier-panel">
      <section class="card" aria-labelledby="dossier-title">
        <div class="row">
          <h2 id="dossier-title">
            {t('dossierCode')}: <span data-testid="panel-code">{dossier.dossierCode}</span>
          </h2>
          <button type="button" class="secondary" onClick={data.reload}>
            {t('refresh')}
          </button>
        </div>
        <p>
          {t('status')}:{' '}
          <strong data-testid="intake-status">{statusText(t, dossier.status, dossier.statusLabel)}</strong>
          {' · '}
          {t('dueAt')}: {formatDateTime(dossier.dueAt)}
        </p>
        <div class={`units-flow${dossier.crossBoundary ? ' cross' : ''}`}>
          <div>
            <small>{t('receivingUnit')}</small>
            <strong>{units.name(dossier.units.receiving)}</strong>
          </div>
          <span aria-hidden="true" class="arrow">
            →
          </span>
          <div>
            <small>{t('competentUnit')}</small>
            <strong>{units.name(dossier.units.competent)}</strong>
          </div>
        </div>
        {dossier.crossBoundary && <Notice kind="warn">{t('crossBoundary')}</Notice>}
        {data.error !== undefined && <ErrorNotice error={data.error} onRetry={data.reload} />}
      </section>

      <ReceiptSlip receipt={receipt} />

      <section class="card" aria-labelledby="scans-title">
        <h2 id="scans-title">{t('scans')}</h2>
        <ul class="uploads">
          {components.map((c) => (
            <ComponentUpload
              key={c.code}
              dossierId={dossierId}
              code={c.code}
              name={c.name}
              done={digitized?.components.find((d) => d.code === c.code)}
              onDone={data.reload}
            />
          ))}
        </ul>
      </section>

      {dossier.status === 2 && (
        <TransferForm dossierId={dossierId} defaultUnit={dossier.units.competent ?? ''} onDone={changed} />
      )}
      {[2, 4, 5, 6].includes(dossier.status) && atDesk === null && (
        <WithdrawForm dossierId={dossierId} onDone={changed} />
      )}
      <ReturnSection dossierId={dossierId} atDesk={atDesk} onDone={changed} />
    </div>
  );
}

function TransferForm({
  dossierId,
  defaultUnit,
  onDone,
}: {
  dossierId: string;
  defaultUnit: string;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const units = useUnits();
  const [toUnitId, setTo] = useState(defaultUnit);
  const [channel, setChannel] = useState('electronic');
  const command = useCommand();
  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await command.run(() =>
      request(IntakeDossier, `/v1/intake/dossiers/${dossierId}/transfer`, {
        method: 'POST',
        body: { toUnitId, channel },
      }),
    );
    if (ok) onDone();
  };
  const deciding = units.all.filter(
    (u) => u.validTo === null && (u.kind === 'department' || u.kind === 'commune'),
  );
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="transfer-title">
      <h2 id="transfer-title">{t('transfer')}</h2>
      <div class="grid-2">
        <SelectField
          name="toUnitId"
          label={t('transferTo')}
          value={toUnitId}
          onValue={setTo}
          options={deciding.map((u) => ({ value: u.id, label: u.name }))}
          error={command.fields.toUnitId}
        />
        <SelectField
          name="transferChannel"
          label={t('transferChannel')}
          value={channel}
          onValue={setChannel}
          options={['electronic', 'paper', 'postal'].map((c) => ({
            value: c,
            label: t(`channel.${c}` as MessageKey),
          }))}
          error={command.fields.channel}
        />
      </div>
      <ErrorNotice error={command.error} onRetry={() => void submit(new Event('submit'))} />
      <button type="submit" disabled={command.busy}>
        {t('transfer')}
      </button>
    </form>
  );
}

function WithdrawForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const command = useCommand();
  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await command.run(() =>
      request(IntakeDossier, `/v1/intake/dossiers/${dossierId}/withdraw`, {
        method: 'POST',
        body: reason.trim() ? { reason } : {},
      }),
    );
    if (ok) onDone();
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="withdraw-title">
      <h2 id="withdraw-title">{t('withdraw')}</h2>
      <TextField
        name="withdrawReason"
        label={t('reason')}
        value={reason}
        onValue={setReason}
        error={command.fields.reason}
      />
      <ErrorNotice error={Object.keys(command.fields).length ? undefined : command.error} />
      <button type="submit" class="danger" disabled={command.busy}>
        {t('withdraw')}
      </button>
    </form>
  );
}

function ReturnSection({
  dossierId,
  atDesk,
  onDone,
}: {
  dossierId: string;
  atDesk: ReturnView | null;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [channel, setChannel] = useState('desk');
  const [rating, setRating] = useState('1');
  const command = useCommand();
  const post = (action: 'return' | 'rate', body: unknown) =>
    command.run(async () => {
      const answer = await request(ReturnView, `/v1/return/dossiers/${dossierId}/${action}`, {
        method: 'POST',
        body,
      });
      onDone();
      return answer;
    });
  return (
    <section class="card" aria-labelledby="return-title" data-testid="return-section">
      <h2 id="return-title">{t('resultReturn')}</h2>
      {atDesk === null ? (
        <p>{t('resultNotYet')}</p>
      ) : (
        <>
          <p>{t('resultAtDesk', { at: formatDateTime(atDesk.receivedAt) })}</p>
          {atDesk.returnedAt === undefined ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void post('return', { channel });
              }}
              noValidate
            >
              <SelectField
                name="returnChannel"
                label={t('returnChannel')}
                value={channel}
                onValue={setChannel}
                options={['desk', 'postal', 'online'].map((c) => ({
                  value: c,
                  label: t(`channel.${c}` as MessageKey),
                }))}
                error={command.fields.channel}
              />
              <button type="submit" disabled={command.busy}>
                {t('returnResult')}
              </button>
            </form>
          ) : (
            <Notice kind="ok">
              <span data-testid="returned">{t('returnedAt', { at: formatDateTime(atDesk.returnedAt) })}</span>
            </Notice>
          )}
          {atDesk.returnedAt !== undefined && atDesk.rating === undefined && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void post('rate', { rating: Number(rating) });
              }}
              noValidate
            >
              <fieldset>
                <legend>{t('rating')}</legend>
                {['1', '2', '3', '4'].map((r) => (
                  <label key={r} class="check">
                    <input
                      type="radio"
                      name="rating"
                      value={r}
                      checked={rating === r}
                      onChange={() => setRating(r)}
                    />
                    {t(`rating.${r}` as MessageKey)}
                  </label>
                ))}
              </fieldset>
              <button type="submit" disabled={command.busy}>
                {t('saveRating')}
              </button>
            </form>
          )}
          {atDesk.rating !== undefined && (
            <Notice kind="ok">
              <span data-testid="rated">
                {t('ratedAs', { rating: t(`rating.${atDesk.rating}` as MessageKey) })}
              </span>
            </Notice>
          )}
        </>
      )}
      <ErrorNotice error={command.error} />
    </section>
  );
}
