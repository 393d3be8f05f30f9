/**
 * The citizen's side of feedback on the public page (no sign-in): a form to file it about a dossier (code + the
 * receipt's tracking secret), an agency or a procedure, with optional attachments, which answers with a reference
 * and a secret; and the status of one's feedback by reference and secret, where the answer can be rated and
 * followed up. The public routes are rate limited: a 429 is said plainly.
 */
import { useState } from 'preact/hooks';
import { ApiError, query, request } from '../api.js';
import { useI18n } from '../i18n.js';
import { formatDateTime } from '../lib/format.js';
import { PublicUnits } from '../public/schemas.js';
import { ErrorNotice, Field, Notice, SelectField, TextField, useAsync, useCommand } from '../ui.js';
import { type FeedbackText, feedbackKey, feedbackText } from './messages.js';
import {
  type PublicFeedback,
  PublicFeedback as PublicFeedbackSchema,
  PublicFiled,
  type StageRow,
  stagesOf,
  urgency,
} from './schemas.js';

type Kind = 'dossier' | 'unit' | 'procedure';

interface Lookup {
  readonly reference: string;
  readonly secret: string;
}

/** `#/public/feedback?reference=…&secret=…` (the link given at filing) opens the status directly. */
function lookupInHash(): Lookup | undefined {
  const [path = '', search = ''] = location.hash.split('?');
  if (!path.startsWith('#/public/feedback')) return undefined;
  const params = new URLSearchParams(search);
  const reference = params.get('reference')?.trim() ?? '';
  const secret = params.get('secret')?.trim() ?? '';
  return reference && secret ? { reference, secret } : undefined;
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('unreadable file'));
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.readAsDataURL(file);
  });
}

/** What a refusal means for the citizen, in their words; undefined for what the generic notice says well. */
function refusalText(error: unknown, f: FeedbackText, files: readonly File[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 429) return f('tooMany');
  if (error.code === 'FB_DOSSIER_NOT_MATCHED') return f('dossierNotMatched');
  if (error.code === 'FB_ATTACHMENT_UNSUPPORTED') {
    const details = error.details as { attachment?: number; detected?: string } | undefined;
    const index = details?.attachment ?? 0;
    return f('attachmentRefused', {
      n: index + 1,
      name: files[index]?.name ?? '',
      type: details?.detected ?? '?',
    });
  }
  return undefined;
}

export function CitizenFeedback() {
  const { lang } = useI18n();
  const f = feedbackText(lang);
  const initial = lookupInHash();
  const [lookup, setLookup] = useState<Lookup | undefined>(initial);
  return (
    <>
      <FileForm f={f} onFiled={setLookup} />
      <Status f={f} initial={initial} lookup={lookup} onLookup={setLookup} />
    </>
  );
}

function FileForm({ f, onFiled }: { f: FeedbackText; onFiled: (lookup: Lookup) => void }) {
  const units = useAsync(() => request(PublicUnits, '/v1/public/units'), []);
  const [kind, setKind] = useState<Kind>('unit');
  const [form, setForm] = useState({
    dossierCode: '',
    secret: '',
    unitId: '',
    procedureCode: '',
    category: 'report',
    content: '',
    name: '',
    phone: '',
    email: '',
  });
  const [files, setFiles] = useState<File[]>([]);
  const [filed, setFiled] = useState<PublicFiled | undefined>(undefined);
  const command = useCommand();
  const set = (name: keyof typeof form) => (value: string) => setForm({ ...form, [name]: value });
  const unitOptions = [
    { value: '', label: f('anyUnit') },
    ...(units.data?.units ?? []).map((u) => ({ value: u.unitId, label: u.name })),
  ];

  const submit = async () => {
    const subject =
      kind === 'dossier'
        ? { kind, dossierCode: form.dossierCode.trim(), secret: form.secret.trim() }
        : kind === 'unit'
          ? { kind, unitId: form.unitId }
          : {
              kind,
              procedureCode: form.procedureCode.trim(),
              ...(form.unitId ? { unitId: form.unitId } : {}),
            };
    const contact = Object.fromEntries(
      Object.entries({ name: form.name, phone: form.phone, email: form.email })
        .map(([k, v]) => [k, v.trim()])
        .filter(([, v]) => v !== ''),
    );
    const attachments = await Promise.all(
      files.map(async (file) => ({ fileName: file.name, contentBase64: await readBase64(file) })),
    );
    const answer = await command.run(() =>
      request(PublicFiled, '/v1/public/feedback', {
        method: 'POST',
        body: {
          subject,
          category: form.category,
          content: form.content,
          ...(Object.keys(contact).length > 0 ? { contact } : {}),
          ...(attachments.length > 0 ? { attachments } : {}),
        },
      }),
    );
    if (answer !== undefined) {
      setFiled(answer);
      onFiled({ reference: answer.reference, secret: answer.followUpSecret });
    }
  };

  const fields = command.fields;
  const refusal = refusalText(command.error, f, files);
  return (
    <section class="card" aria-labelledby="feedback-file-title" data-testid="feedback-form">
      <h2 id="feedback-file-title">{f('fileTitle')}</h2>
      <p>{f('fileIntro')}</p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset>
          <legend>{f('subjectKind')}</legend>
          {(['dossier', 'unit', 'procedure'] as const).map((k) => (
            <label key={k} class="check">
              <input
                type="radio"
                name="feedback-kind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
              />
              {f(`kind.${k}`)}
            </label>
          ))}
        </fieldset>
        {kind === 'dossier' && (
          <div class="grid-2">
            <TextField
              name="fb-dossierCode"
              label={f('dossierCode')}
              value={form.dossierCode}
              onValue={set('dossierCode')}
              error={fields['subject.dossierCode']}
            />
            <TextField
              name="fb-secret"
              label={f('trackingSecret')}
              value={form.secret}
              onValue={set('secret')}
              error={fields['subject.secret']}
            />
          </div>
        )}
        {kind === 'procedure' && (
          <TextField
            name="fb-procedureCode"
            label={f('procedureCode')}
            hint={f('procedureHint')}
            value={form.procedureCode}
            onValue={set('procedureCode')}
            error={fields['subject.procedureCode']}
          />
        )}
        {kind !== 'dossier' && (
          <SelectField
            name="fb-unitId"
            label={f('unit')}
            value={form.unitId}
            onValue={set('unitId')}
            options={unitOptions}
            error={fields['subject.unitId']}
          />
        )}
        <SelectField
          name="fb-category"
          label={f('category')}
          value={form.category}
          onValue={set('category')}
          options={(['report', 'recommendation'] as const).map((c) => ({
            value: c,
            label: f(`category.${c}`),
          }))}
        />
        <Field name="fb-content" label={f('content')} error={fields.content}>
          {(aria) => (
            <textarea
              {...aria}
              class="prose"
              name="fb-content"
              rows={5}
              value={form.content}
              onInput={(e) => set('content')(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="grid-3">
          <TextField name="fb-name" label={f('contactName')} value={form.name} onValue={set('name')} />
          <TextField
            name="fb-phone"
            label={f('contactPhone')}
            type="tel"
            value={form.phone}
            onValue={set('phone')}
            error={fields['contact.phone']}
          />
          <TextField
            name="fb-email"
            label={f('contactEmail')}
            value={form.email}
            onValue={set('email')}
            error={fields['contact.email']}
          />
        </div>
        <Field name="fb-attachments" label={f('attachments')} error={fields.attachments}>
          {(aria) => (
            <input
              {...aria}
              type="file"
              name="fb-attachments"
              multiple
              accept="application/pdf,image/jpeg,image/png,image/tiff"
              onChange={(e) => setFiles([...(e.currentTarget.files ?? [])].slice(0, 5))}
            />
          )}
        </Field>
        <button type="submit" disabled={command.busy}>
          {f('send')}
        </button>
      </form>
      {refusal !== undefined ? (
        <p class="notice notice-warn" role="alert" data-testid="feedback-refused">
          {refusal}
        </p>
      ) : (
        <ErrorNotice error={command.error} />
      )}
      {filed && (
        <Notice kind="ok">
          <p>{f('filed')}</p>
          <dl class="facts">
            <dt>{f('reference')}</dt>
            <dd class="code" data-testid="feedback-reference">
              {filed.reference}
            </dd>
            <dt>{f('secret')}</dt>
            <dd class="code" data-testid="feedback-secret">
              {filed.followUpSecret}
            </dd>
          </dl>
          <a href={filed.statusPath}>{f('openStatus')}</a>
        </Notice>
      )}
    </section>
  );
}

function Status({
  f,
  initial,
  lookup,
  onLookup,
}: {
  f: FeedbackText;
  initial: Lookup | undefined;
  lookup: Lookup | undefined;
  onLookup: (lookup: Lookup) => void;
}) {
  const [reference, setReference] = useState(initial?.reference ?? '');
  const [secret, setSecret] = useState(initial?.secret ?? '');
  const [shown, setShown] = useState<PublicFeedback | undefined>(undefined);
  const item = useAsync(async () => {
    if (lookup === undefined) return undefined;
    const url = `/v1/public/feedback/${encodeURIComponent(lookup.reference)}${query({ secret: lookup.secret })}`;
    const answer = await request(PublicFeedbackSchema, url);
    setShown(answer);
    return answer;
  }, [lookup]);
  const refused = item.error instanceof ApiError ? item.error : undefined;
  return (
    <section class="card" aria-labelledby="feedback-status-title" data-testid="feedback-status">
      <h2 id="feedback-status-title">{f('statusTitle')}</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onLookup({ reference: reference.trim(), secret: secret.trim() });
        }}
      >
        <div class="grid-2">
          <TextField name="fbs-reference" label={f('reference')} value={reference} onValue={setReference} />
          <TextField name="fbs-secret" label={f('secret')} value={secret} onValue={setSecret} />
        </div>
        <button type="submit">{f('lookUp')}</button>
      </form>
      {refused?.status === 404 && (
        <p class="notice notice-warn" role="alert">
          {f('notFound')}
        </p>
      )}
      {refused?.status === 429 && (
        <p class="notice notice-warn" role="alert">
          {f('tooMany')}
        </p>
      )}
      {refused === undefined && <ErrorNotice error={item.error} onRetry={item.reload} />}
      {shown && lookup && refused === undefined && (
        <StatusView f={f} item={shown} lookup={lookup} onChange={setShown} />
      )}
    </section>
  );
}

function StatusView({
  f,
  item,
  lookup,
  onChange,
}: {
  f: FeedbackText;
  item: PublicFeedback;
  lookup: Lookup;
  onChange: (item: PublicFeedback) => void;
}) {
  const [followUp, setFollowUp] = useState('');
  const command = useCommand();
  const base = `/v1/public/feedback/${encodeURIComponent(lookup.reference)}`;
  const act = async (path: 'rate' | 'follow-up', body: Record<string, string>) => {
    const answer = await command.run(() =>
      request(PublicFeedbackSchema, `${base}/${path}`, {
        method: 'POST',
        body: { secret: lookup.secret, ...body },
      }),
    );
    if (answer !== undefined) onChange(answer);
  };
  const statusLabel = (status: string) => {
    const key = feedbackKey(`status.${status}`);
    return key === undefined ? status : f(key);
  };
  return (
    <div data-testid="feedback-public-item">
      <dl class="facts">
        <dt>{f('reference')}</dt>
        <dd class="code">{item.reference}</dd>
        <dt>{f('status')}</dt>
        <dd data-testid="feedback-public-status" data-status={item.status}>
          <strong>{statusLabel(item.status)}</strong>
        </dd>
        <dt>{f('filedAt')}</dt>
        <dd>{formatDateTime(item.filedAt)}</dd>
        {item.refused && (
          <>
            <dt>{f('reason')}</dt>
            <dd>{item.refused.reason}</dd>
          </>
        )}
        {item.infoRequested && (
          <>
            <dt>{f('infoAsked')}</dt>
            <dd>{item.infoRequested.reason}</dd>
          </>
        )}
        {item.answered && (
          <>
            <dt>{f('answer')}</dt>
            <dd data-testid="feedback-public-answer">{item.answered.answer}</dd>
          </>
        )}
        {item.rating && (
          <>
            <dt>{f('rating')}</dt>
            <dd>{f(item.rating === 'satisfied' ? 'rating.satisfied' : 'rating.dissatisfied')}</dd>
          </>
        )}
      </dl>
      <StageTable f={f} rows={stagesOf(item)} />
      {item.canRate && (
        <div class="actions">
          <span>{f('rate')}:</span>
          <button
            type="button"
            disabled={command.busy}
            onClick={() => void act('rate', { rating: 'satisfied' })}
          >
            {f('rating.satisfied')}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={command.busy}
            onClick={() => void act('rate', { rating: 'dissatisfied' })}
          >
            {f('rating.dissatisfied')}
          </button>
        </div>
      )}
      {item.canFollowUp && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void act('follow-up', { content: followUp });
          }}
        >
          <Field name="fbs-followUp" label={f('followUp')} error={command.fields.content}>
            {(aria) => (
              <textarea
                {...aria}
                class="prose"
                rows={3}
                value={followUp}
                onInput={(e) => setFollowUp(e.currentTarget.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={command.busy}>
            {f('send')}
          </button>
        </form>
      )}
      {item.followedUp && <Notice kind="ok">{f('followUpSent')}</Notice>}
      <ErrorNotice error={command.error} />
    </div>
  );
}

/**
 * Each stage with its due and, once done, when and whether late; open stages are coloured against `nowMs` (the
 * business clock) when given: past due, or due within a day. Shared with the staff inbox.
 */
export function StageTable({
  f,
  rows,
  nowMs,
}: {
  f: FeedbackText;
  rows: readonly StageRow[];
  nowMs?: number;
}) {
  return (
    <div class="table-wrap">
      <table data-testid="feedback-stages">
        <caption>{f('stage')}</caption>
        <thead>
          <tr>
            <th scope="col">{f('stage')}</th>
            <th scope="col">{f('dueAt')}</th>
            <th scope="col">{f('doneAt')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const open = row.doneAt === undefined;
            const state = open
              ? nowMs === undefined
                ? 'ok'
                : urgency(row.dueAt, nowMs)
              : row.late
                ? 'late'
                : 'ok';
            return (
              <tr
                key={row.stage}
                data-stage={row.stage}
                data-state={open ? `open-${state}` : state}
                class={state === 'late' ? 'overdue' : state === 'soon' ? 'due-soon' : ''}
              >
                <td>{f(`stage.${row.stage}`)}</td>
                <td>{formatDateTime(row.dueAt)}</td>
                <td>
                  {open ? f('open') : `${formatDateTime(row.doneAt)} (${row.late ? f('late') : f('onTime')})`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
