import { useEffect, useState } from 'preact/hooks';
import { businessNow, query, request } from '../api.js';
import { navigate, useUnits } from '../context.js';
import { isMessageKey, type MessageKey, statusText, type Translate, useI18n } from '../i18n.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import { useRefresh } from '../refresh.js';
import {
  type CaseView,
  CaseView as CaseViewSchema,
  DrillDown,
  type DrillItem,
  Timeline,
} from '../schemas.js';
import { can, type Session } from '../session.js';
import { DataTable, ErrorNotice, Notice, TextField, useAsync } from '../ui.js';
import { CommandPanel } from './commands.js';

const HOUR = 3_600_000;

function classLabel(t: Translate, classification: string): string {
  const key = `class.${classification}`;
  return isMessageKey(key) ? t(key) : classification;
}

/**
 * The unit's open cases, soonest due first, from the projection's drill-down (open in time + open overdue). Time
 * left is shown in hours to the due instant; overdue and due within a day are coloured.
 */
export function CasesScreen({ user }: { user: Session }) {
  const { t, lang } = useI18n();
  const [lookup, setLookup] = useState('');
  const list = useAsync(async () => {
    if (!user.unitId) return { now: new Date().toISOString(), items: [] as DrillItem[] };
    const now = await businessNow();
    const page = (classification: string) =>
      request(DrillDown, `/v1/kpi/units/${user.unitId}/dossiers${query({ classification, pageSize: 200 })}`);
    const [inTime, overdue] = await Promise.all([page('in_time'), page('overdue')]);
    return { now, items: [...overdue.items, ...inTime.items] };
  }, [user.unitId]);
  const now = Date.parse(list.data?.now ?? new Date().toISOString());
  const dueOf = (row: DrillItem) => Date.parse(row.appointmentDueAt || row.statutoryDueAt);
  const hoursLeft = (row: DrillItem) => Math.round((dueOf(row) - now) / HOUR);
  return (
    <div class="stack">
      <form
        class="card row"
        onSubmit={(e) => {
          e.preventDefault();
          if (lookup.trim()) navigate(`#/case/${lookup.trim()}`);
        }}
      >
        <TextField name="caseLookup" label={t('caseLookup')} value={lookup} onValue={setLookup} />
        <button type="submit">{t('open')}</button>
      </form>
      <section class="card">
        <div class="row">
          <h2>{t('myCases')}</h2>
          <button type="button" class="secondary" onClick={list.reload}>
            {t('refresh')}
          </button>
        </div>
        <ErrorNotice error={list.error} onRetry={list.reload} />
        {list.data && (
          <DataTable
            caption={t('myCases')}
            csvName="cases.csv"
            rows={[...list.data.items].sort((a, b) => dueOf(a) - dueOf(b))}
            rowKey={(r) => r.dossierId}
            rowClass={(r) => (hoursLeft(r) < 0 ? 'overdue' : hoursLeft(r) < 24 ? 'due-soon' : '')}
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
                value: (r) => dueOf(r),
                render: (r) => formatDateTime(r.appointmentDueAt || r.statutoryDueAt),
              },
              {
                key: 'left',
                label: t('timeLeft'),
                numeric: true,
                value: (r) => hoursLeft(r),
                render: (r) =>
                  hoursLeft(r) < 0
                    ? `${t('overdue')} ${formatNumber(-hoursLeft(r), lang, 0)} h`
                    : `${formatNumber(hoursLeft(r), lang, 0)} h`,
              },
            ]}
          />
        )}
      </section>
    </div>
  );
}

/** One case: control sheet, steps against their budgets, the merged timeline, and the commands allowed now. */
export function CaseScreen({ user, dossierId }: { user: Session; dossierId: string }) {
  const { t, lang } = useI18n();
  const units = useUnits();
  const caseView = useAsync(() => request(CaseViewSchema, `/v1/processing/cases/${dossierId}`), [dossierId]);
  const [view, setView] = useState<CaseView | undefined>(undefined);
  useEffect(() => setView(caseView.data), [caseView.data]);
  // The timeline is the projection's: it trails each command by the consumer's lag, so read it again a few times.
  const { tick, follow } = useRefresh();
  useEffect(follow, [view?.version]);
  const timeline = useAsync(
    () => request(Timeline, `/v1/dossiers/${dossierId}/timeline`),
    [dossierId, view?.status, view?.version, tick],
  );

  if (view === undefined) {
    return caseView.error ? (
      <ErrorNotice error={caseView.error} onRetry={caseView.reload} />
    ) : (
      <p>{t('loading')}</p>
    );
  }
  const clock = view.clock;
  return (
    <div class="layout">
      <div class="stack">
        <section class="card" aria-labelledby="case-title" data-testid="case">
          <div class="row">
            <h1 id="case-title">{t('caseTitle', { code: view.dossierCode ?? view.dossierId })}</h1>
            <button type="button" class="secondary" onClick={caseView.reload}>
              {t('refresh')}
            </button>
          </div>
          <p>
            {t('status')}:{' '}
            <strong data-testid="case-status">{statusText(t, view.status, view.statusLabel)}</strong>
            {clock?.paused && <span class="badge warn"> {t('paused')}</span>}
          </p>
          <dl class="facts">
            <dt>{t('procedure')}</dt>
            <dd>{view.procedureCode}</dd>
            <dt>{t('receivingUnit')}</dt>
            <dd>{units.name(view.receivingUnitId)}</dd>
            <dt>{t('competentUnit')}</dt>
            <dd>{units.name(view.competentUnitId)}</dd>
            <dt>{t('statutoryDue')}</dt>
            <dd>{formatDateTime(clock?.statutoryDueAt ?? view.statutoryDueAt)}</dd>
            {clock && clock.appointmentDueAt !== clock.statutoryDueAt && (
              <>
                <dt>{t('appointmentDue')}</dt>
                <dd>{formatDateTime(clock.appointmentDueAt)}</dd>
              </>
            )}
            {clock && (
              <>
                <dt>{t('classification')}</dt>
                <dd class={`class-${clock.classification.statutory}`} data-testid="classification">
                  {classLabel(t, clock.classification.statutory)} ·{' '}
                  {formatNumber(clock.elapsedWorkingDays, lang)} {t('elapsedDays').toLowerCase()}
                </dd>
              </>
            )}
            {view.decision && (
              <>
                <dt>{t('decision')}</dt>
                <dd data-testid="decision">
                  {t(`outcome.${view.decision.outcome}` as MessageKey)} · {formatDateTime(view.decision.at)}
                </dd>
              </>
            )}
          </dl>
          {view.supplements.length > 0 && (
            <>
              <h3>{t('supplements')}</h3>
              <ul>
                {view.supplements.map((s) => (
                  <li key={s.requestNumber}>
                    #{s.requestNumber} {s.reason} · {formatDateTime(s.requestedAt)} →{' '}
                    {formatDateTime(s.receivedAt)}
                  </li>
                ))}
              </ul>
            </>
          )}
          {view.extensions.length > 0 && (
            <>
              <h3>{t('extensions')}</h3>
              <ul>
                {view.extensions.map((x) => (
                  <li key={x.at}>
                    {formatDateTime(x.at)}: {formatDateTime(x.newDueAt)} — {x.reason}
                    {x.issuedLate && <span class="badge warn"> {t('class.late')}</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>

        <section class="card">
          <DataTable
            caption={t('steps')}
            csvName="steps.csv"
            rows={view.steps}
            rowKey={(s) => s.stepId}
            rowClass={(s) => (s.overBudget ? 'overdue' : s.state === 'in_progress' ? 'current' : '')}
            columns={[
              { key: 'step', label: t('step'), value: (s) => s.name },
              {
                key: 'state',
                label: t('status'),
                value: (s) =>
                  isMessageKey(`step.${s.state}`) ? t(`step.${s.state}` as MessageKey) : s.state,
              },
              { key: 'officer', label: t('officer'), value: (s) => s.officerId },
              { key: 'budget', label: t('budget'), numeric: true, value: (s) => s.budgetWorkingHours },
              {
                key: 'used',
                label: t('used'),
                numeric: true,
                value: (s) => Number(s.usedWorkingHours.toFixed(2)),
              },
            ]}
          />
        </section>

        <section class="card">
          <DataTable
            caption={t('controlSheet')}
            csvName="control-sheet.csv"
            rows={view.controlSheet}
            rowKey={(e) => `${e.at}-${e.kind}-${e.stepId}`}
            columns={[
              { key: 'at', label: t('at'), value: (e) => e.at, render: (e) => formatDateTime(e.at) },
              { key: 'action', label: t('action'), value: (e) => `${e.kind} ${e.stepId}` },
              { key: 'officer', label: t('officer'), value: (e) => e.officerId },
              { key: 'by', label: t('by'), value: (e) => e.byOfficerId },
            ]}
          />
        </section>
      </div>

      <div class="stack">
        {can.caseCommands(user.role) && <CommandPanel view={view} user={user} onDone={setView} />}
        <section class="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">{t('timeline')}</h2>
          <ErrorNotice error={timeline.error} onRetry={timeline.reload} />
          <ol class="timeline" data-testid="timeline">
            {timeline.data?.events.map((e) => (
              <li key={e.eventId}>
                <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time> <strong>{e.type}</strong>
                {e.nationalStatus !== null && (
                  <span class="badge">{statusText(t, e.nationalStatus, e.nationalStatusLabel)}</span>
                )}
                <br />
                <small>
                  {e.actor.id} ({e.actor.role}) · {e.source}
                </small>
              </li>
            ))}
          </ol>
          {timeline.data === undefined && !timeline.error && <Notice>{t('loading')}</Notice>}
        </section>
      </div>
    </div>
  );
}
