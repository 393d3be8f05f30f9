import { useEffect, useState } from 'preact/hooks';
import { ApiError, businessNow, query, request } from '../api.js';
import { CitizenFeedback } from '../feedback/citizen.js';
import { useI18n } from '../i18n.js';
import { formatDate, formatDateTime, formatNumber, formatRate, vnDayKey } from '../lib/format.js';
import { type Column, DataTable, ErrorNotice, TextField, useAsync } from '../ui.js';
import { type PublicKey, progressLabel, publicText, stepLabel } from './messages.js';
import { PublicDossier, type PublicUnit, PublicUnits } from './schemas.js';

interface Lookup {
  readonly code: string;
  readonly secret: string;
}

interface Period {
  readonly from: string;
  readonly to: string;
}

/** The first of the month of `now` to the day after it, as local (Vietnam) dates. */
function monthToDate(now: string): Period {
  const today = vnDayKey(now);
  const next = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { from: `${today.slice(0, 8)}01`, to: next };
}

/** The lookup in the page's address (`/tracking?code=…&secret=…`, what the receipt's QR code opens). */
function lookupInAddress(): Lookup | undefined {
  const params = new URLSearchParams(location.search);
  const code = params.get('code')?.trim() ?? '';
  const secret = params.get('secret')?.trim() ?? '';
  return code && secret ? { code, secret } : undefined;
}

/**
 * The public transparency page (no sign-in): dossier tracking by code and the receipt's tracking secret, and
 * each deciding agency's figures for a period. Opened from the receipt's QR code (`/tracking?code&secret`, the
 * form filled in and submitted) or from the sign-in screen (`#/public`).
 */
export function PublicScreen() {
  const { lang } = useI18n();
  const p = publicText(lang);
  return (
    <div class="stack" data-testid="public">
      <section class="card" aria-labelledby="public-title">
        <h1 id="public-title">{p('title')}</h1>
        <p>{p('intro')}</p>
        <a href="/#/">{p('signInLink')}</a>
      </section>
      <Tracking p={p} />
      <CitizenFeedback />
      <UnitsTable p={p} />
    </div>
  );
}

function Tracking({ p }: { p: (key: PublicKey) => string }) {
  const { lang } = useI18n();
  const initial = lookupInAddress();
  const [code, setCode] = useState(initial?.code ?? '');
  const [secret, setSecret] = useState(initial?.secret ?? '');
  const [lookup, setLookup] = useState<Lookup | undefined>(initial);
  const dossier = useAsync(
    async () =>
      lookup === undefined
        ? undefined
        : request(
            PublicDossier,
            `/v1/public/dossiers/${encodeURIComponent(lookup.code)}${query({ secret: lookup.secret })}`,
          ),
    [lookup],
  );
  const refused = dossier.error instanceof ApiError ? dossier.error : undefined;
  const data = dossier.data;
  return (
    <section class="card" aria-labelledby="track-title">
      <h2 id="track-title">{p('trackTitle')}</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setLookup({ code: code.trim(), secret: secret.trim() });
        }}
      >
        <div class="grid-2">
          <TextField
            name="track-code"
            label={p('code')}
            hint={p('codeHint')}
            value={code}
            onValue={setCode}
          />
          <TextField
            name="track-secret"
            label={p('secret')}
            hint={p('secretHint')}
            value={secret}
            onValue={setSecret}
          />
        </div>
        <button type="submit" disabled={dossier.loading && lookup !== undefined}>
          {p('track')}
        </button>
      </form>
      {refused?.status === 404 && (
        <p class="notice notice-warn" role="alert" data-testid="public-not-found">
          {p('notFound')}
        </p>
      )}
      {refused?.status === 429 && (
        <p class="notice notice-warn" role="alert">
          {p('tooMany')}
        </p>
      )}
      {refused === undefined && <ErrorNotice error={dossier.error} onRetry={dossier.reload} />}
      {data && refused === undefined && (
        <div data-testid="public-dossier">
          <dl class="facts">
            <dt>{p('code')}</dt>
            <dd>{data.dossierCode}</dd>
            <dt>{p('status')}</dt>
            <dd data-testid="public-status">
              <strong>
                {data.nationalStatus.code} —{' '}
                {lang === 'en' ? data.nationalStatus.labelEn : data.nationalStatus.label}
              </strong>
            </dd>
            <dt>{p('progress')}</dt>
            <dd data-testid="public-progress">{progressLabel(lang, data.progress)}</dd>
            <dt>{p('procedure')}</dt>
            <dd>
              {data.procedure.code} — {data.procedure.name}
            </dd>
            <dt>{p('receivingUnit')}</dt>
            <dd>{data.receivingUnitName}</dd>
            <dt>{p('competentUnit')}</dt>
            <dd>{data.competentUnitName}</dd>
            <dt>{p('receivedAt')}</dt>
            <dd>{formatDateTime(data.receivedAt)}</dd>
            <dt>{p('statutoryDueAt')}</dt>
            <dd data-testid="public-due">{formatDateTime(data.statutoryDueAt)}</dd>
            {data.appointmentDueAt !== data.statutoryDueAt && (
              <>
                <dt>{p('appointmentDueAt')}</dt>
                <dd>{formatDateTime(data.appointmentDueAt)}</dd>
              </>
            )}
            {data.endedAt && (
              <>
                <dt>{p('endedAt')}</dt>
                <dd>{formatDateTime(data.endedAt)}</dd>
              </>
            )}
          </dl>
          <div class="table-wrap">
            <table data-testid="public-steps">
              <caption>{p('steps')}</caption>
              <thead>
                <tr>
                  <th scope="col">{p('stepAt')}</th>
                  <th scope="col">{p('stepWhat')}</th>
                  <th scope="col">{p('stepUnit')}</th>
                </tr>
              </thead>
              <tbody>
                {data.steps.map((step, i) => (
                  <tr key={`${step.at}-${i}`}>
                    <td>{formatDateTime(step.at)}</td>
                    <td>
                      {stepLabel(lang, step)}
                      {step.detail ? `: ${step.detail}` : ''}
                    </td>
                    <td>{step.unitName ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

function UnitsTable({ p }: { p: (key: PublicKey) => string }) {
  const { lang } = useI18n();
  const [draft, setDraft] = useState<Period | undefined>(undefined);
  const [period, setPeriod] = useState<Period | undefined>(undefined);
  useEffect(() => {
    let live = true;
    // Business "now" (the server's test clock when it has one) picks the default month.
    void businessNow().then((now) => {
      if (!live) return;
      const initial = monthToDate(now);
      setDraft(initial);
      setPeriod(initial);
    });
    return () => {
      live = false;
    };
  }, []);
  const units = useAsync(
    async () =>
      period === undefined ? undefined : request(PublicUnits, `/v1/public/units${query({ ...period })}`),
    [period],
  );
  const columns: Column<PublicUnit>[] = [
    { key: 'name', label: p('unit'), value: (u) => u.name },
    { key: 'received', label: p('received'), value: (u) => u.received, numeric: true },
    { key: 'ended', label: p('ended'), value: (u) => u.ended, numeric: true },
    {
      key: 'onTimeRate',
      label: p('onTimeRate'),
      value: (u) => u.onTimeRate,
      render: (u) => formatRate(u.onTimeRate, lang),
      numeric: true,
    },
    { key: 'late', label: p('late'), value: (u) => u.late, numeric: true },
    { key: 'overdue', label: p('overdue'), value: (u) => u.overdue, numeric: true },
    {
      key: 'avgDays',
      label: p('avgDays'),
      value: (u) => u.avgElapsedWorkingDays,
      render: (u) => formatNumber(u.avgElapsedWorkingDays, lang),
      numeric: true,
    },
    {
      key: 'satisfaction',
      label: p('satisfaction'),
      value: (u) => u.satisfactionRate,
      render: (u) => formatRate(u.satisfactionRate, lang),
      numeric: true,
    },
    // Feedback (phản ánh, kiến nghị) filed in the period, after the dossier columns (the browser test reads those
    // by position).
    { key: 'feedbackFiled', label: p('feedbackFiled'), value: (u) => u.feedback.filed, numeric: true },
    {
      key: 'feedbackAnswered',
      label: p('feedbackAnswered'),
      value: (u) => u.feedback.answered,
      numeric: true,
    },
    {
      key: 'feedbackOnTimeRate',
      label: p('feedbackOnTimeRate'),
      value: (u) => u.feedback.onTimeRate,
      render: (u) => formatRate(u.feedback.onTimeRate, lang),
      numeric: true,
    },
    {
      key: 'feedbackSatisfaction',
      label: p('feedbackSatisfaction'),
      value: (u) => u.feedback.satisfactionRate,
      render: (u) => formatRate(u.feedback.satisfactionRate, lang),
      numeric: true,
    },
  ];
  return (
    <section class="card" aria-labelledby="units-title" data-testid="public-units">
      <h2 id="units-title">{p('unitsTitle')}</h2>
      {draft && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            setPeriod({ ...draft });
          }}
        >
          <TextField
            name="pub-from"
            label={p('from')}
            type="date"
            value={draft.from}
            onValue={(from) => setDraft({ ...draft, from })}
          />
          <TextField
            name="pub-to"
            label={p('to')}
            type="date"
            value={draft.to}
            onValue={(to) => setDraft({ ...draft, to })}
          />
          <button type="submit">{p('show')}</button>
        </form>
      )}
      <ErrorNotice error={units.error} onRetry={units.reload} />
      {units.data && (
        <DataTable
          caption={`${p('unitsTitle')}: ${formatDate(units.data.from)} – ${formatDate(units.data.to)}`}
          columns={columns}
          rows={units.data.units}
          csvName="public-units.csv"
          rowKey={(u) => u.unitId}
        />
      )}
    </section>
  );
}
