import { useMemo, useState } from 'preact/hooks';
import { ApiError, query, request, requestFile } from '../api.js';
import { useUnits } from '../context.js';
import { isMessageKey, type MessageKey, type Translate, useI18n } from '../i18n.js';
import { formatDate, formatDateTime, formatNumber, formatRate, localInputToIso } from '../lib/format.js';
import {
  DrillDown,
  type DrillItem,
  Kpi,
  type LateReason,
  Series,
  type UnitKpiRow,
  UnitsKpi,
} from '../schemas.js';
import type { Session } from '../session.js';
import { DataTable, ErrorNotice, SelectField, TextField, useAsync } from '../ui.js';
import { SeriesChart } from './chart.js';

interface Filters {
  readonly unitId: string;
  readonly from: string;
  readonly to: string;
  readonly asOf: string;
  readonly due: string;
  readonly rollup: string;
}

function monthStart(offset: number): string {
  const now = new Date(Date.now() + 7 * 3_600_000);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

export function reasonText(t: Translate, reason: LateReason, lang: 'vi' | 'en'): string {
  const hours = (ms: number | undefined) => formatNumber((ms ?? 0) / 3_600_000, lang, 1);
  switch (reason.kind) {
    case 'step_over_budget':
      return t('reason.step_over_budget', {
        step: reason.stepId ?? '?',
        used: formatNumber(reason.usedWorkingHours, lang, 1),
        budget: formatNumber(reason.budgetWorkingHours, lang, 1),
        officer: reason.officerId ?? '—',
      });
    case 'second_supplement_request':
      return t('reason.second_supplement_request', { n: reason.requestCount ?? 2 });
    case 'apology_after_due':
      return t('reason.apology_after_due');
    case 'overdue_at_end':
      return t('reason.overdue_at_end', { hours: hours(reason.byWorkingMs) });
    case 'paused':
      return t('reason.paused', { hours: hours(reason.pausedWorkingMs) });
    default:
      return reason.kind;
  }
}

const classes = ['late', 'overdue', 'in_time', 'on_time', 'early'] as const;

/** Decision 766 points of a unit: the sum of the items that apply (null when none does). */
export function pointsTotal(points: Readonly<Record<string, number | null>>): number | null {
  const applying = Object.values(points).filter((p): p is number => p !== null);
  return applying.length === 0 ? null : Math.round(applying.reduce((sum, p) => sum + p, 0) * 100) / 100;
}

/**
 * Every deciding unit side by side (`GET /v1/kpi/units`, the filters above): sortable by any column, CSV of the
 * rows as sorted; a unit's name opens its own figures below.
 */
function UnitsTable({
  params,
  onPick,
}: {
  params: Record<string, string | undefined>;
  onPick: (unitId: string) => void;
}) {
  const { t, lang } = useI18n();
  const table = useAsync(() => request(UnitsKpi, `/v1/kpi/units${query(params)}`), [params]);
  const rate = (
    key: 'onTimeRate' | 'digitizationRate' | 'onlineRate' | 'satisfactionRate',
    label: string,
  ) => ({
    key,
    label,
    numeric: true,
    value: (r: UnitKpiRow) => r[key],
    render: (r: UnitKpiRow) => formatRate(r[key], lang),
  });
  return (
    <section class="card" aria-labelledby="units-title" data-testid="units-table">
      <h2 id="units-title">{t('unitsTable')}</h2>
      <p class="hint">{t('unitsTableHint')}</p>
      <ErrorNotice error={table.error} onRetry={table.reload} />
      {table.data && (
        <DataTable<UnitKpiRow>
          caption={t('unitsTable')}
          csvName="units.csv"
          rows={table.data.units}
          rowKey={(r) => r.unitId}
          rowClass={(r) => (r.overdue > 0 ? 'overdue' : '')}
          columns={[
            {
              key: 'unit',
              label: t('unit'),
              value: (r) => r.name,
              render: (r) => (
                <button type="button" class="link" onClick={() => onPick(r.unitId)}>
                  {r.name}
                </button>
              ),
            },
            { key: 'received', label: t('kpi.received'), numeric: true, value: (r) => r.received },
            rate('onTimeRate', t('kpi.onTimeRate')),
            { key: 'late', label: t('kpi.late'), numeric: true, value: (r) => r.late },
            { key: 'overdue', label: t('kpi.overdue'), numeric: true, value: (r) => r.overdue },
            rate('digitizationRate', t('kpi.digitizationRate')),
            rate('onlineRate', t('kpi.onlineRate')),
            rate('satisfactionRate', t('kpi.satisfactionRate')),
            {
              key: 'points',
              label: t('kpi.pointsTotal'),
              numeric: true,
              value: (r) => pointsTotal(r.points),
              render: (r) => formatNumber(pointsTotal(r.points), lang),
            },
          ]}
        />
      )}
    </section>
  );
}

/**
 * Downloads the periodic reform report of [from, to) (`GET /v1/reports/reform`): the province's competent units
 * for analysts and admins, the server narrows a leader's to their unit.
 */
function ReformReportDownload({ from, to }: { from: string; to: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const download = async (format: 'xlsx' | 'pdf') => {
    setBusy(true);
    setError(undefined);
    try {
      const { blob, fileName } = await requestFile(`/v1/reports/reform${query({ from, to, format })}`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="row" data-testid="reform-report">
      <span class="hint">{t('reformReport')}</span>
      <button type="button" disabled={busy} onClick={() => download('xlsx')}>
        {t('reformReportXlsx')}
      </button>
      <button type="button" disabled={busy} onClick={() => download('pdf')}>
        {t('reformReportPdf')}
      </button>
      <ErrorNotice error={error} />
    </div>
  );
}

/** The analyst's view of a unit: KPI cards, a series chart, the drill-down with reasons, CSV of every table. */
export function DashboardScreen({ user }: { user: Session }) {
  const { t, lang } = useI18n();
  const units = useUnits();
  // Leaders read their own unit; analysts and admins any deciding unit.
  const choices = units.all.filter((u) =>
    user.role === 'leader' ? u.id === user.unitId : u.kind === 'department' || u.kind === 'commune',
  );
  const [draft, setDraft] = useState<Filters>({
    unitId: user.role === 'leader' ? (user.unitId ?? '') : (choices[0]?.id ?? ''),
    from: monthStart(0),
    to: monthStart(1),
    asOf: '',
    due: 'statutory',
    rollup: 'current',
  });
  const [filters, setFilters] = useState<Filters>(draft);
  const [classification, setClassification] = useState<string>('late');
  const params = useMemo(() => {
    const asOf = localInputToIso(filters.asOf);
    return { from: filters.from, to: filters.to, asOf, due: filters.due, rollup: filters.rollup };
  }, [filters]);
  // The comparison table does not depend on the unit shown below: picking a unit there does not reload it.
  const { from, to, asOf, due, rollup } = params;
  const periodParams = useMemo(() => ({ from, to, asOf, due, rollup }), [from, to, asOf, due, rollup]);
  const base = `/v1/kpi/units/${encodeURIComponent(filters.unitId)}`;
  const kpi = useAsync(() => request(Kpi, `${base}${query(params)}`), [base, params]);
  const series = useAsync(
    () =>
      request(Series, `${base}/series${query({ from: params.from, to: params.to, rollup: params.rollup })}`),
    [base, params],
  );
  const drill = useAsync(
    () =>
      request(
        DrillDown,
        `${base}/dossiers${query({ ...params, classification: classification || undefined, pageSize: 200 })}`,
      ),
    [base, params, classification],
  );
  const set = (name: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));
  const classLabel = (c: string) => {
    const key = `class.${c}`;
    return isMessageKey(key) ? t(key) : c;
  };
  const labels = useMemo(
    () => ({ received: t('kpi.received'), ended: t('kpi.ended'), late: t('kpi.late') }),
    [t],
  );

  const data = kpi.data;
  const cards: { key: MessageKey; value: string; tone?: string }[] = data
    ? [
        { key: 'kpi.received', value: String(data.received) },
        { key: 'kpi.ended', value: String(data.ended) },
        { key: 'kpi.onTimeRate', value: formatRate(data.onTimeRate, lang) },
        { key: 'kpi.late', value: String(data.late), tone: data.late > 0 ? 'bad' : '' },
        { key: 'kpi.inTime', value: String(data.inTime) },
        { key: 'kpi.overdue', value: String(data.overdue), tone: data.overdue > 0 ? 'bad' : '' },
        { key: 'kpi.avgElapsedWorkingDays', value: formatNumber(data.avgElapsedWorkingDays, lang) },
        { key: 'kpi.digitizationRate', value: formatRate(data.digitizationRate, lang) },
        { key: 'kpi.onlineRate', value: formatRate(data.onlineRate, lang) },
        { key: 'kpi.satisfactionRate', value: formatRate(data.satisfactionRate, lang) },
      ]
    : [];
  const points = data ? Object.entries(data.points) : [];

  return (
    <div class="stack">
      <form
        class="card filters"
        aria-labelledby="filters-title"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft }); // a new object: "Xem" reloads even when nothing changed
        }}
      >
        <h2 id="filters-title">{t('filters')}</h2>
        <div class="grid-3">
          <SelectField
            name="unitId"
            label={t('unit')}
            value={draft.unitId}
            onValue={set('unitId')}
            options={choices.map((u) => ({ value: u.id, label: u.name }))}
          />
          <TextField
            name="from"
            label={t('from')}
            type="date"
            value={draft.from}
            onValue={set('from')}
            error={kpi.error ? fieldError(kpi.error, 'from') : undefined}
          />
          <TextField
            name="to"
            label={t('to')}
            type="date"
            value={draft.to}
            onValue={set('to')}
            error={kpi.error ? fieldError(kpi.error, 'to') : undefined}
          />
          <TextField
            name="asOf"
            label={t('asOf')}
            type="datetime-local"
            hint={t('asOfHint')}
            value={draft.asOf}
            onValue={set('asOf')}
            error={kpi.error ? fieldError(kpi.error, 'asOf') : undefined}
          />
          <SelectField
            name="due"
            label={t('dueBasis')}
            value={draft.due}
            onValue={set('due')}
            options={['statutory', 'appointment'].map((v) => ({
              value: v,
              label: t(`due.${v}` as MessageKey),
            }))}
          />
          <SelectField
            name="rollup"
            label={t('rollup')}
            value={draft.rollup}
            onValue={set('rollup')}
            options={['current', 'historical'].map((v) => ({
              value: v,
              label: t(`rollup.${v}` as MessageKey),
            }))}
          />
        </div>
        <button type="submit">{t('apply')}</button>
      </form>

      <section class="card" aria-labelledby="kpi-title" data-testid="kpi">
        <h2 id="kpi-title">{t('kpiTitle', { unit: units.name(filters.unitId) })}</h2>
        {data && (
          <p class="hint">
            {formatDate(data.from)} – {formatDate(data.to)} · {t('asOf')}: {formatDateTime(data.asOf)}
          </p>
        )}
        <ErrorNotice error={kpi.error} onRetry={kpi.reload} />
        <ReformReportDownload from={filters.from} to={filters.to} />
        <div class="cards">
          {cards.map((c) => (
            <div key={c.key} class={`kpi ${c.tone ?? ''}`} data-kpi={c.key}>
              <span class="kpi-label">{t(c.key)}</span>
              <span class="kpi-value">{c.value}</span>
            </div>
          ))}
        </div>
        {data && (
          <DataTable
            caption={t('kpi.points')}
            csvName="kpi.csv"
            rowKey={(r) => r.key}
            rows={[
              ...cards.map((c) => ({ key: c.key, label: t(c.key), value: c.value })),
              ...points.map(([key, value]) => ({
                key: `points.${key}`,
                label: isMessageKey(`points.${key}`) ? t(`points.${key}` as MessageKey) : key,
                value: formatNumber(value, lang),
              })),
            ]}
            columns={[
              { key: 'label', label: t('indicator'), value: (r) => r.label },
              { key: 'value', label: t('value'), numeric: true, value: (r) => r.value },
            ]}
          />
        )}
      </section>

      <UnitsTable
        params={periodParams}
        onPick={(unitId) => {
          setDraft((d) => ({ ...d, unitId }));
          setFilters((f) => ({ ...f, unitId }));
        }}
      />

      <section class="card" aria-labelledby="series-title">
        <h2 id="series-title">{t('series')}</h2>
        <ErrorNotice error={series.error} onRetry={series.reload} />
        {series.data && (
          <figure aria-label={t('chartLabel')}>
            <SeriesChart series={series.data} labels={labels} title={t('chartLabel')} />
          </figure>
        )}
      </section>

      <section class="card" aria-labelledby="drill-title" data-testid="drill">
        <div class="row">
          <h2 id="drill-title">{t('drillDown')}</h2>
          <SelectField
            name="classification"
            label={t('drillClass')}
            value={classification}
            onValue={setClassification}
            options={[
              { value: '', label: t('all') },
              ...classes.map((c) => ({ value: c, label: classLabel(c) })),
            ]}
          />
        </div>
        <ErrorNotice error={drill.error} onRetry={drill.reload} />
        {drill.data && (
          <>
            <p class="hint">{t('total', { n: drill.data.total })}</p>
            <DataTable<DrillItem>
              caption={t('drillDown')}
              csvName="dossiers.csv"
              rows={drill.data.items}
              rowKey={(r) => r.dossierId}
              rowClass={(r) =>
                r.classification === 'late' || r.classification === 'overdue' ? 'overdue' : ''
              }
              columns={[
                {
                  key: 'code',
                  label: t('dossierCode'),
                  value: (r) => r.dossierCode,
                  render: (r) => <a href={`#/case/${r.dossierId}`}>{r.dossierCode}</a>,
                },
                { key: 'procedure', label: t('procedure'), value: (r) => r.procedureCode },
                {
                  key: 'received',
                  label: t('receivedAt'),
                  value: (r) => r.receivedAt,
                  render: (r) => formatDateTime(r.receivedAt),
                },
                {
                  key: 'due',
                  label: t('dueAt'),
                  value: (r) => r.statutoryDueAt,
                  render: (r) => formatDateTime(r.statutoryDueAt),
                },
                {
                  key: 'ended',
                  label: t('endedAt'),
                  value: (r) => r.endedAt,
                  render: (r) => formatDateTime(r.endedAt),
                },
                { key: 'class', label: t('classification'), value: (r) => classLabel(r.classification) },
                { key: 'days', label: t('elapsedDays'), numeric: true, value: (r) => r.elapsedWorkingDays },
                {
                  key: 'reasons',
                  label: t('reasons'),
                  value: (r) => r.lateReasons.map((x) => reasonText(t, x, lang)).join('; '),
                },
              ]}
            />
          </>
        )}
      </section>
    </div>
  );
}

function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fields[field] : undefined;
}
