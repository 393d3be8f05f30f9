import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { useUnits } from '../context.js';
import { type MessageKey, useI18n } from '../i18n.js';
import { isoToLocalInput, localInputToIso } from '../lib/format.js';
import { type CaseView, CaseView as CaseViewSchema } from '../schemas.js';
import { can, type Session } from '../session.js';
import { ErrorNotice, Field, Notice, TypedInput } from '../ui.js';

type Input =
  | { name: string; label: MessageKey; kind: 'text' | 'number'; optional?: boolean; initial?: string }
  | { name: string; label: MessageKey; kind: 'datetime'; initial?: string }
  | {
      name: string;
      label: MessageKey;
      kind: 'select';
      options: { value: string; label: string }[];
      initial?: string;
    }
  | { name: string; label: MessageKey; kind: 'checkbox' };

interface Command {
  readonly action: string;
  readonly label: MessageKey;
  readonly inputs: readonly Input[];
  readonly danger?: boolean;
}

/**
 * The commands a case allows in its status (DOMAIN.md section 3: 4 → 5|6|8|9, 5 → 4, 6 → 4), and of those, the ones
 * this role may give: leaders alone extend, stop and decide. Nothing else is offered.
 */
export function allowedCommands(
  view: CaseView,
  user: Session,
  unitOptions: { value: string; label: string }[],
): Command[] {
  if (!can.caseCommands(user.role)) return [];
  const leader = can.leaderCommands(user.role);
  switch (view.status) {
    case 4: {
      const openConsultations = view.consultations.filter((c) => c.answeredAt === null);
      const commands: Command[] = [
        {
          action: 'assign',
          label: 'assign',
          inputs: [{ name: 'officerId', label: 'officerId', kind: 'text', initial: user.sub }],
        },
        {
          action: 'complete-step',
          label: 'completeStep',
          inputs: [{ name: 'nextOfficerId', label: 'nextOfficer', kind: 'text', optional: true }],
        },
        {
          action: 'request-supplement',
          label: 'requestSupplement',
          inputs: [{ name: 'reason', label: 'reason', kind: 'text' }],
        },
        {
          action: 'request-payment',
          label: 'requestPayment',
          inputs: [{ name: 'amount', label: 'amount', kind: 'number' }],
        },
        {
          action: 'consult',
          label: 'consult',
          inputs: [
            { name: 'toUnitId', label: 'consultUnit', kind: 'select', options: unitOptions },
            { name: 'workingHours', label: 'workingHours', kind: 'number', initial: '16' },
          ],
        },
      ];
      if (openConsultations.length > 0) {
        commands.push({
          action: 'answer-consultation',
          label: 'answerConsultation',
          inputs: [
            {
              name: 'consultationId',
              label: 'consultUnit',
              kind: 'select',
              options: openConsultations.map((c) => ({ value: c.consultationId, label: c.toUnitId })),
            },
          ],
        });
      }
      if (leader) {
        const due = view.clock?.appointmentDueAt ?? view.statutoryDueAt;
        commands.push(
          {
            action: 'extend',
            label: 'extend',
            inputs: [
              {
                name: 'newDueAt',
                label: 'newDueAt',
                kind: 'datetime',
                initial: isoToLocalInput(new Date(Date.parse(due) + 2 * 86_400_000).toISOString()),
              },
              { name: 'reason', label: 'reason', kind: 'text' },
            ],
          },
          {
            action: 'stop',
            label: 'stop',
            inputs: [{ name: 'reason', label: 'reason', kind: 'text' }],
            danger: true,
          },
          {
            action: 'decide',
            label: 'decide',
            inputs: [
              {
                name: 'outcome',
                label: 'outcome',
                kind: 'select',
                options: [
                  { value: 'approved', label: 'outcome.approved' },
                  { value: 'refused', label: 'outcome.refused' },
                ],
              },
              { name: 'reason', label: 'reason', kind: 'text', optional: true },
            ],
          },
        );
      }
      return commands;
    }
    case 5:
      return [{ action: 'receive-supplement', label: 'receiveSupplement', inputs: [] }];
    case 6:
      return [
        {
          action: 'confirm-payment',
          label: 'confirmPayment',
          inputs: [{ name: 'online', label: 'paidOnline', kind: 'checkbox' }],
        },
      ];
    default:
      return [];
  }
}

function bodyOf(inputs: readonly Input[], values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const input of inputs) {
    const raw = values[input.name] ?? ('initial' in input ? (input.initial ?? '') : '');
    if (input.kind === 'checkbox') body[input.name] = raw === 'true';
    else if (input.kind === 'number') body[input.name] = raw === '' ? undefined : Number(raw);
    else if (input.kind === 'datetime') body[input.name] = localInputToIso(raw) ?? raw;
    else if (input.kind === 'select') body[input.name] = raw || input.options[0]?.value;
    else if (!(input.optional && raw.trim() === '')) body[input.name] = raw;
  }
  return body;
}

function CommandForm({
  dossierId,
  command,
  onDone,
}: {
  dossierId: string;
  command: Command;
  onDone: (v: CaseView) => void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const fields = error instanceof ApiError ? error.fields : {};
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onDone(
        await request(CaseViewSchema, `/v1/processing/cases/${dossierId}/${command.action}`, {
          method: 'POST',
          body: bodyOf(command.inputs, values),
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  const form = (
    <form onSubmit={submit} noValidate data-action={command.action}>
      {command.inputs.map((input) => {
        const name = `${command.action}.${input.name}`;
        const value = values[input.name] ?? ('initial' in input ? (input.initial ?? '') : '');
        return (
          <Field key={name} name={name} label={t(input.label)} error={fields[input.name]}>
            {(aria) =>
              input.kind === 'select' ? (
                <select {...aria} value={value} onChange={(e) => set(input.name, e.currentTarget.value)}>
                  {input.options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label.startsWith('outcome.') ? t(o.label as MessageKey) : o.label}
                    </option>
                  ))}
                </select>
              ) : input.kind === 'checkbox' ? (
                <input
                  {...aria}
                  type="checkbox"
                  checked={value === 'true'}
                  onChange={(e) => set(input.name, String(e.currentTarget.checked))}
                />
              ) : (
                <TypedInput
                  type={input.kind === 'datetime' ? 'datetime-local' : input.kind}
                  attributes={{ ...aria, value, onInput: (e) => set(input.name, e.currentTarget.value) }}
                />
              )
            }
          </Field>
        );
      })}
      <ErrorNotice error={Object.keys(fields).length > 0 ? undefined : error} />
      <button type="submit" class={command.danger ? 'danger' : ''} disabled={busy}>
        {t(command.label)}
      </button>
    </form>
  );
  if (command.inputs.length === 0) return <div class="command">{form}</div>;
  return (
    <details class="command">
      <summary>{t(command.label)}</summary>
      {form}
    </details>
  );
}

export function CommandPanel({
  view,
  user,
  onDone,
}: {
  view: CaseView;
  user: Session;
  onDone: (v: CaseView) => void;
}) {
  const { t } = useI18n();
  const units = useUnits();
  const unitOptions = units.all
    .filter(
      (u) =>
        u.validTo === null &&
        u.id !== view.competentUnitId &&
        (u.kind === 'department' || u.kind === 'commune'),
    )
    .map((u) => ({ value: u.id, label: u.name }));
  const commands = allowedCommands(view, user, unitOptions);
  return (
    <section class="card" aria-labelledby="commands-title" data-testid="commands">
      <h2 id="commands-title">{t('commands')}</h2>
      {commands.length === 0 ? (
        <Notice>{t('noCommands')}</Notice>
      ) : (
        commands.map((c) => (
          <CommandForm
            key={`${view.status}-${c.action}`}
            dossierId={view.dossierId}
            command={c}
            onDone={onDone}
          />
        ))
      )}
    </section>
  );
}
