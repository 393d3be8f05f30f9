import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, query, request } from '../api.js';
import { useUnits } from '../context.js';
import { type MessageKey, useI18n } from '../i18n.js';
import { missingComponentsOf } from '../lib/errors.js';
import { areaOf } from '../lib/text.js';
import { type Procedure, ProcedureList, ReceiveResponse } from '../schemas.js';
import type { Session } from '../session.js';
import { ErrorNotice, Notice, SelectField, TextField, useAsync, useCommand } from '../ui.js';

/** Search as you type (accent-insensitive on the server: "ho tich" finds "Hộ tịch"). */
export function ProcedureSearch({ onPick }: { onPick: (p: Procedure) => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(q.trim()), 200);
    return () => clearTimeout(timer);
  }, [q]);
  const found = useAsync(
    () => request(ProcedureList, `/v1/catalog/procedures${query({ q: debounced })}`),
    [debounced],
  );
  return (
    <section class="card" aria-labelledby="search-title">
      <h2 id="search-title">{t('procedure')}</h2>
      <TextField
        name="q"
        label={t('searchProcedure')}
        value={q}
        onValue={setQ}
        placeholder={t('searchPlaceholder')}
        type="search"
      />
      <ErrorNotice error={found.error} onRetry={found.reload} />
      <ul class="results" aria-live="polite">
        {found.data?.procedures.length === 0 && <li>{t('noProcedures')}</li>}
        {found.data?.procedures.slice(0, 12).map((p) => (
          <li key={p.code}>
            <button type="button" class="link" onClick={() => onPick(p)} data-code={p.code}>
              <span class="code">{p.code}</span> {p.name}
              {p.field && <small> · {p.field}</small>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const limitKey = (unit: string): MessageKey =>
  unit === 'working_hours'
    ? 'limit.working_hours'
    : unit === 'calendar_days'
      ? 'limit.calendar_days'
      : 'limit.working_days';

interface ReceiveFormProps {
  readonly user: Session;
  readonly procedure: Procedure;
  readonly onReceived: (answer: ReturnType<typeof ReceiveResponse.parse>) => void;
}

const newKey = () => `desk-${crypto.randomUUID()}`;

/**
 * The receipt form: the procedure's component checklist (a missing required one blocks receipt and offers to
 * record the guidance given instead), the applicant, and the receiving vs competent unit side by side.
 */
export function ReceiveForm({ user, procedure, onReceived }: ReceiveFormProps) {
  const { t } = useI18n();
  const units = useUnits();
  const receiving = user.unitId ? units.byId(user.unitId) : undefined;
  const defaultCompetent = useMemo(() => {
    const local = procedure.competentUnitIds.find((id) => {
      const unit = units.byId(id);
      return unit !== undefined && receiving !== undefined && areaOf(unit) === areaOf(receiving);
    });
    return local ?? procedure.competentUnitIds[0] ?? '';
  }, [procedure, receiving, units]);
  const [competentUnitId, setCompetent] = useState(defaultCompetent);
  const [channel, setChannel] = useState('desk');
  const [applicant, setApplicant] = useState({
    type: '1',
    fullName: '',
    idNumber: '',
    phone: '',
    address: '',
  });
  const [provided, setProvided] = useState<Record<string, boolean>>({});
  // One key per attempt at this receipt: a retry after a network failure cannot receive the dossier twice.
  const [idempotencyKey, setKey] = useState(newKey);
  const [guided, setGuided] = useState<string[] | undefined>(undefined);
  const command = useCommand();
  useEffect(() => setCompetent(defaultCompetent), [defaultCompetent]);

  const competent = units.byId(competentUnitId);
  const crossBoundary =
    competent !== undefined && receiving !== undefined && areaOf(competent) !== areaOf(receiving);
  const missing = procedure.components.filter((c) => c.required && !provided[c.code]);
  const nameOf = (code: string) => procedure.components.find((c) => c.code === code)?.name ?? code;
  const fields = command.fields;

  const body = () => ({
    procedureCode: procedure.code,
    channel,
    receivingUnitId: user.unitId ?? '',
    competentUnitId,
    applicant: {
      type: Number(applicant.type),
      fullName: applicant.fullName,
      idNumber: applicant.idNumber,
      ...(applicant.phone ? { phone: applicant.phone } : {}),
      ...(applicant.address ? { address: applicant.address } : {}),
    },
    components: procedure.components.map((c) => ({ code: c.code, provided: provided[c.code] === true })),
  });
  const post = (key: string) =>
    request(ReceiveResponse, '/v1/intake/dossiers', {
      method: 'POST',
      body: body(),
      headers: { 'idempotency-key': key },
    });

  const submit = async (event: Event) => {
    event.preventDefault();
    setGuided(undefined);
    const answer = await command.run(() => post(idempotencyKey));
    if (answer !== undefined) {
      setKey(newKey());
      onReceived(answer);
    }
  };
  // The server records the guidance (Form 02 at the desk) when it refuses an incomplete dossier with 422.
  const guide = async () => {
    let listed: string[] | undefined;
    await command.run(async () => {
      try {
        await post(newKey());
      } catch (error) {
        if (error instanceof ApiError && error.status === 422) {
          listed = missingComponentsOf(error.details);
          if (listed.length > 0) return;
        }
        throw error;
      }
    });
    if (listed !== undefined) setGuided(listed);
  };
  const set = (name: keyof typeof applicant) => (value: string) =>
    setApplicant((a) => ({ ...a, [name]: value }));
  const hasFieldErrors = Object.keys(fields).length > 0;

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="receive-title">
      <h2 id="receive-title">{t('receiveTitle')}</h2>
      <p class="procedure">
        <span class="code">{procedure.code}</span> <strong>{procedure.name}</strong>
        <br />
        <small>
          {t('timeLimit')}: {t(limitKey(procedure.limit.unit), { n: procedure.limit.value })}
          {procedure.feeVnd !== undefined && ` · ${t('fee')}: ${procedure.feeVnd.toLocaleString('vi-VN')} đ`}
        </small>
      </p>

      <div class={`units-flow${crossBoundary ? ' cross' : ''}`} data-testid="units-flow">
        <div>
          <small>{t('receivingUnit')}</small>
          <strong>{units.name(user.unitId)}</strong>
        </div>
        <span aria-hidden="true" class="arrow">
          →
        </span>
        <SelectField
          name="competentUnitId"
          label={t('competentUnit')}
          value={competentUnitId}
          onValue={setCompetent}
          options={procedure.competentUnitIds.map((id) => ({ value: id, label: units.name(id) }))}
          error={fields.competentUnitId}
        />
      </div>
      {crossBoundary ? <Notice kind="warn">{t('crossBoundary')}</Notice> : <small>{t('sameArea')}</small>}

      <div class="grid-2">
        <SelectField
          name="channel"
          label={t('channel')}
          value={channel}
          onValue={setChannel}
          options={['desk', 'online', 'postal'].map((c) => ({
            value: c,
            label: t(`channel.${c}` as MessageKey),
          }))}
          error={fields.channel}
        />
        <SelectField
          name="applicant.type"
          label={t('applicantType')}
          value={applicant.type}
          onValue={set('type')}
          options={['1', '2', '3', '4'].map((v) => ({
            value: v,
            label: t(`applicantType.${v}` as MessageKey),
          }))}
          error={fields['applicant.type']}
        />
        <TextField
          name="applicant.fullName"
          label={t('fullName')}
          value={applicant.fullName}
          onValue={set('fullName')}
          error={fields['applicant.fullName']}
        />
        <TextField
          name="applicant.idNumber"
          label={t('idNumber')}
          value={applicant.idNumber}
          onValue={set('idNumber')}
          error={fields['applicant.idNumber']}
        />
        <TextField
          name="applicant.phone"
          label={t('phone')}
          type="tel"
          value={applicant.phone}
          onValue={set('phone')}
          error={fields['applicant.phone']}
        />
        <TextField
          name="applicant.address"
          label={t('address')}
          value={applicant.address}
          onValue={set('address')}
          error={fields['applicant.address']}
        />
      </div>

      <fieldset>
        <legend>{t('components')}</legend>
        {procedure.components.map((c) => (
          <label key={c.code} class="check">
            <input
              type="checkbox"
              name={`component-${c.code}`}
              checked={provided[c.code] === true}
              onChange={(e) => setProvided((p) => ({ ...p, [c.code]: e.currentTarget.checked }))}
            />
            {c.name}
            {c.required && <span class="badge">{t('required')}</span>}
          </label>
        ))}
        {fields.components && (
          <span class="field-error" role="alert">
            {fields.components}
          </span>
        )}
      </fieldset>

      {missing.length > 0 && (
        <Notice kind="warn">
          <span data-testid="missing">
            {t('missingRequired', { list: missing.map((c) => c.name).join(', ') })}
          </span>{' '}
          <button type="button" class="secondary" onClick={guide} disabled={command.busy}>
            {t('giveGuidance')}
          </button>
        </Notice>
      )}
      {guided && <Notice kind="ok">{t('guidanceRecorded', { list: guided.map(nameOf).join(', ') })}</Notice>}
      {hasFieldErrors && (
        <p class="field-error" role="alert">
          {t('fixErrors')}
        </p>
      )}
      <ErrorNotice
        error={hasFieldErrors ? undefined : command.error}
        onRetry={() => void submit(new Event('submit'))}
      />
      <button type="submit" disabled={missing.length > 0 || command.busy}>
        {t('receive')}
      </button>
    </form>
  );
}
