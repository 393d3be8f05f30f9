/**
 * The responsible unit's feedback (phản ánh, kiến nghị): its items, newest first, each with the due of its next
 * stage (working days, from the server) coloured when due within a day or late; and one item with what the
 * citizen wrote (each opening is a logged read of the filer's data), its attachments, every stage against its due,
 * and the five steps of the unit, each enabled only when the item's status allows it (the server's `actions`).
 */
import { useEffect, useState } from 'preact/hooks';
import { businessNow, query, request, requestFile } from '../api.js';
import { navigate, useUnits } from '../context.js';
import { useI18n } from '../i18n.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import type { Session } from '../session.js';
import { DataTable, ErrorNotice, Field, Notice, TextField, useAsync, useCommand } from '../ui.js';
import { StageTable } from './citizen.js';
import { type FeedbackKey, type FeedbackText, feedbackKey, feedbackText } from './messages.js';
import {
  type FeedbackAction,
  type FeedbackItem,
  FeedbackItem as FeedbackItemSchema,
  FeedbackList,
  stagesOf,
  urgency,
} from './schemas.js';

const HOUR = 3_600_000;

/** `status.filed` → its label; an unexpected value as it is. */
function labelOf(f: FeedbackText, prefix: string, value: string): string {
  const key = feedbackKey(`${prefix}.${value}`);
  return key === undefined ? value : f(key);
}

function subjectText(item: FeedbackItem, unitName: (id: string) => string): string {
  const { subject } = item;
  if (subject.kind === 'dossier') return subject.dossierCode ?? '';
  if (subject.kind === 'procedure') return subject.procedureCode ?? '';
  return unitName(subject.unitId ?? '');
}

/** The next stage the unit owes (the optional information request aside), if any. */
function nextDue(item: FeedbackItem): { stage: FeedbackKey; dueAt: string } | undefined {
  const open = item.openStages.find((s) => s.stage !== 'infoRequest');
  return open === undefined ? undefined : { stage: `stage.${open.stage}`, dueAt: open.dueAt };
}

export function FeedbackInbox({ user, feedbackId }: { user: Session; feedbackId?: string | undefined }) {
  return feedbackId ? <FeedbackDetail user={user} feedbackId={feedbackId} /> : <Inbox user={user} />;
}

function Inbox({ user }: { user: Session }) {
  const { t, lang } = useI18n();
  const f = feedbackText(lang);
  const units = useUnits();
  const list = useAsync(async () => {
    if (!user.unitId) return undefined;
    const [now, page] = await Promise.all([
      businessNow(),
      request(FeedbackList, `/v1/feedback${query({ unitId: user.unitId, limit: 200 })}`),
    ]);
    return { nowMs: Date.parse(now), items: page.items };
  }, [user.unitId]);
  if (!user.unitId) return <Notice kind="warn">{f('noUnit')}</Notice>;
  const nowMs = list.data?.nowMs ?? Date.now();
  const hoursLeft = (item: FeedbackItem) => {
    const next = nextDue(item);
    return next === undefined ? null : Math.round((Date.parse(next.dueAt) - nowMs) / HOUR);
  };
  return (
    <section class="card" data-testid="feedback-inbox">
      <div class="row">
        <h1>{f('inboxTitle')}</h1>
        <button type="button" class="secondary" onClick={list.reload}>
          {t('refresh')}
        </button>
      </div>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.data && (
        <DataTable
          caption={`${f('inboxTitle')} — ${units.name(user.unitId)}`}
          csvName="feedback.csv"
          rows={list.data.items}
          rowKey={(item) => item.feedbackId}
          rowClass={(item) => {
            const next = nextDue(item);
            const state = next === undefined ? 'ok' : urgency(next.dueAt, nowMs);
            return state === 'late' ? 'overdue' : state === 'soon' ? 'due-soon' : '';
          }}
          columns={[
            {
              key: 'filedAt',
              label: f('filedAt'),
              value: (item) => item.filedAt,
              render: (item) => (
                <a href={`#/feedback/${item.feedbackId}`} data-testid="feedback-row">
                  {formatDateTime(item.filedAt)}
                </a>
              ),
            },
            { key: 'subject', label: f('subject'), value: (item) => subjectText(item, units.name) },
            { key: 'category', label: f('category'), value: (item) => labelOf(f, 'category', item.category) },
            { key: 'channel', label: f('channel'), value: (item) => labelOf(f, 'channel', item.channel) },
            { key: 'status', label: f('status'), value: (item) => labelOf(f, 'status', item.status) },
            {
              key: 'next',
              label: f('nextDue'),
              value: (item) => {
                const next = nextDue(item);
                return next === undefined ? '—' : f(next.stage);
              },
            },
            {
              key: 'due',
              label: f('dueAt'),
              value: (item) => nextDue(item)?.dueAt ?? null,
              render: (item) => formatDateTime(nextDue(item)?.dueAt),
            },
            {
              key: 'left',
              label: f('timeLeft'),
              numeric: true,
              value: hoursLeft,
              render: (item) => {
                const hours = hoursLeft(item);
                if (hours === null) return '—';
                return hours < 0
                  ? `${f('overdue')} ${formatNumber(-hours, lang, 0)} h`
                  : `${formatNumber(hours, lang, 0)} h`;
              },
            },
          ]}
        />
      )}
    </section>
  );
}

interface StepForm {
  readonly action: FeedbackAction;
  /** The text the step needs, and its body field. */
  readonly text?: {
    readonly field: 'reason' | 'answer';
    readonly label: FeedbackKey;
    readonly long?: boolean;
  };
}

const STEPS: readonly StepForm[] = [
  { action: 'accept' },
  { action: 'refuse', text: { field: 'reason', label: 'reason' } },
  { action: 'request-info', text: { field: 'reason', label: 'reason' } },
  { action: 'answer', text: { field: 'answer', label: 'answer', long: true } },
  { action: 'publish' },
];

function FeedbackDetail({ user, feedbackId }: { user: Session; feedbackId: string }) {
  const { t, lang } = useI18n();
  const f = feedbackText(lang);
  const units = useUnits();
  const loaded = useAsync(async () => {
    const [now, item] = await Promise.all([
      businessNow(),
      request(FeedbackItemSchema, `/v1/feedback/${encodeURIComponent(feedbackId)}`),
    ]);
    return { nowMs: Date.parse(now), item };
  }, [feedbackId]);
  const [item, setItem] = useState<FeedbackItem | undefined>(undefined);
  useEffect(() => setItem(loaded.data?.item), [loaded.data]);
  if (item === undefined) {
    return loaded.error ? (
      <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
    ) : (
      <p>{t('loading')}</p>
    );
  }
  const nowMs = loaded.data?.nowMs ?? Date.now();
  const officer = user.role === 'admin' || user.unitId === item.responsibleUnitId;
  return (
    <div class="layout">
      <div class="stack">
        <section class="card" aria-labelledby="feedback-title" data-testid="feedback-item">
          <div class="row">
            <h1 id="feedback-title">{labelOf(f, 'category', item.category)}</h1>
            <button type="button" class="secondary" onClick={() => navigate('#/feedback')}>
              {f('back')}
            </button>
          </div>
          <dl class="facts">
            <dt>{f('status')}</dt>
            <dd data-testid="feedback-item-status" data-status={item.status}>
              <strong>{labelOf(f, 'status', item.status)}</strong>
            </dd>
            <dt>{f('subject')}</dt>
            <dd>
              {labelOf(f, 'kind', item.subject.kind)}: {subjectText(item, units.name)}
            </dd>
            <dt>{f('responsibleUnit')}</dt>
            <dd>{units.name(item.responsibleUnitId)}</dd>
            <dt>{f('channel')}</dt>
            <dd>{labelOf(f, 'channel', item.channel)}</dd>
            <dt>{f('filedAt')}</dt>
            <dd>{formatDateTime(item.filedAt)}</dd>
            <dt>{f('filedBy')}</dt>
            <dd>{item.filedBy}</dd>
          </dl>
          <PrivatePart f={f} item={item} />
          <StageTable f={f} rows={stagesOf(item)} nowMs={nowMs} />
          {item.refused && <p>{`${f('reason')}: ${item.refused.reason}`}</p>}
          {item.infoRequested && <p>{`${f('infoAsked')}: ${item.infoRequested.reason}`}</p>}
          {item.answered && (
            <p data-testid="feedback-item-answer">{`${f('answer')}: ${item.answered.answer}`}</p>
          )}
          {item.rating && <p>{`${f('rating')}: ${labelOf(f, 'rating', item.rating.rating)}`}</p>}
        </section>
      </div>
      {officer && (
        <aside class="card" aria-labelledby="feedback-commands-title" data-testid="feedback-commands">
          <h2 id="feedback-commands-title">{f('commands')}</h2>
          {STEPS.map((step) => (
            <StepCommand
              key={step.action}
              f={f}
              step={step}
              item={item}
              // A command answers the item without what the citizen wrote: keep what this screen already read.
              onDone={(next) =>
                setItem({
                  ...next,
                  ...(item.content === undefined ? {} : { content: item.content }),
                  ...(item.contact === undefined ? {} : { contact: item.contact }),
                  ...(item.followUp === undefined ? {} : { followUp: item.followUp }),
                })
              }
            />
          ))}
        </aside>
      )}
    </div>
  );
}

function PrivatePart({ f, item }: { f: FeedbackText; item: FeedbackItem }) {
  const download = useCommand();
  if (item.filerDataErasedAt !== undefined) {
    return <Notice kind="warn">{`${f('erased')} (${formatDateTime(item.filerDataErasedAt)})`}</Notice>;
  }
  const contact = [item.contact?.name, item.contact?.phone, item.contact?.email].filter(Boolean).join(' · ');
  const open = async (sha256: string) => {
    const file = await download.run(() =>
      requestFile(`/v1/feedback/${encodeURIComponent(item.feedbackId)}/attachments/${sha256}`),
    );
    if (file === undefined) return;
    const url = URL.createObjectURL(file.blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = file.fileName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <>
      {item.content !== undefined && (
        <div data-testid="feedback-content">
          <h2>{f('writtenByFiler')}</h2>
          <p class="prose">{item.content}</p>
          {contact && <p>{`${f('contact')}: ${contact}`}</p>}
          {item.followUp && <p>{`${f('followUp')}: ${item.followUp}`}</p>}
        </div>
      )}
      {item.attachments.length > 0 && (
        <div>
          <h2>{f('attachmentList')}</h2>
          <ul data-testid="feedback-attachments">
            {item.attachments.map((a) => (
              <li key={a.sha256}>
                <span class="code">{a.sha256.slice(0, 12)}</span> · {a.mediaType} ·{' '}
                {Math.max(1, Math.round(a.sizeBytes / 1024))} KB{' '}
                <button type="button" class="link" onClick={() => void open(a.sha256)}>
                  {f('download')}
                </button>
              </li>
            ))}
          </ul>
          <ErrorNotice error={download.error} />
        </div>
      )}
    </>
  );
}

function StepCommand({
  f,
  step,
  item,
  onDone,
}: {
  f: FeedbackText;
  step: StepForm;
  item: FeedbackItem;
  onDone: (item: FeedbackItem) => void;
}) {
  const [text, setText] = useState('');
  const command = useCommand();
  const allowed = item.actions.includes(step.action);
  const name = `fb-${step.action}-${step.text?.field ?? 'go'}`;
  return (
    <form
      class="command"
      data-action={step.action}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void command
          .run(() =>
            request(
              FeedbackItemSchema,
              `/v1/feedback/${encodeURIComponent(item.feedbackId)}/${step.action}`,
              {
                method: 'POST',
                body: step.text === undefined ? {} : { [step.text.field]: text },
              },
            ),
          )
          .then((next) => {
            if (next !== undefined) {
              setText('');
              onDone(next);
            }
          });
      }}
    >
      {step.text !== undefined &&
        (step.text.long ? (
          <Field name={name} label={f(step.text.label)} error={command.fields[step.text.field]}>
            {(aria) => (
              <textarea
                {...aria}
                class="prose"
                rows={4}
                disabled={!allowed}
                value={text}
                onInput={(e) => setText(e.currentTarget.value)}
              />
            )}
          </Field>
        ) : (
          <TextField
            name={name}
            label={f(step.text.label)}
            value={text}
            onValue={setText}
            error={command.fields[step.text.field]}
          />
        ))}
      <button
        type="submit"
        class={step.action === 'refuse' ? 'danger' : ''}
        disabled={!allowed || command.busy}
        title={allowed ? undefined : f('notNow')}
      >
        {f(`action.${step.action}`)}
      </button>
      <ErrorNotice error={command.error} />
    </form>
  );
}
