import type { ComponentChildren, InputHTMLAttributes, JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, NetworkError } from './api.js';
import { useI18n } from './i18n.js';
import { type Cell, csvFileContent } from './lib/csv.js';

/** A stable DOM id for a form field path (`applicant.idNumber` → `f-applicant-idNumber`). */
export const fieldId = (name: string) => `f-${name.replace(/[^\w-]/g, '-')}`;

interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby'?: string;
  }) => JSX.Element;
}

/** A label, a control and, next to it, the server's message for that field. */
export function Field({ name, label, error, hint, children }: FieldProps) {
  const id = fieldId(name);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        'aria-invalid': error !== undefined,
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <span id={`${id}-error`} class="field-error" role="alert" data-field={name}>
          {error}
        </span>
      )}
    </div>
  );
}

export type InputType = 'text' | 'search' | 'tel' | 'number' | 'date' | 'datetime-local';
type InputAttributes = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'role'>;

/** An <input> of one of the text-like types (Preact types each input type's attributes separately). */
export function TypedInput({ type, attributes }: { type: InputType; attributes: InputAttributes }) {
  switch (type) {
    case 'search':
      return <input {...attributes} type="search" />;
    case 'tel':
      return <input {...attributes} type="tel" />;
    case 'number':
      return <input {...attributes} type="number" />;
    case 'date':
      return <input {...attributes} type="date" />;
    case 'datetime-local':
      return <input {...attributes} type="datetime-local" />;
    default:
      return <input {...attributes} type="text" />;
  }
}

interface TextFieldProps {
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly type?: InputType;
  readonly placeholder?: string;
  readonly autoComplete?: string;
}

export function TextField(props: TextFieldProps) {
  return (
    <Field name={props.name} label={props.label} error={props.error} hint={props.hint}>
      {(aria) => (
        <TypedInput
          type={props.type ?? 'text'}
          attributes={{
            ...aria,
            name: props.name,
            value: props.value,
            ...(props.placeholder === undefined ? {} : { placeholder: props.placeholder }),
            autoComplete: props.autoComplete ?? 'off',
            onInput: (e) => props.onValue(e.currentTarget.value),
          }}
        />
      )}
    </Field>
  );
}

interface SelectFieldProps {
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly options: readonly { value: string; label: string }[];
  readonly error?: string | undefined;
}

export function SelectField(props: SelectFieldProps) {
  return (
    <Field name={props.name} label={props.label} error={props.error}>
      {(aria) => (
        <select
          {...aria}
          name={props.name}
          value={props.value}
          onChange={(e) => props.onValue(e.currentTarget.value)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A failed request: a network failure offers a retry; a refusal shows the server's code and message. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: (() => void) | undefined }) {
  const { t } = useI18n();
  if (error === undefined || error === null) return null;
  if (error instanceof NetworkError) {
    return (
      <div class="notice notice-error" role="alert">
        <span>{t('networkError')}</span>
        {onRetry && (
          <button type="button" onClick={onRetry}>
            {t('retry')}
          </button>
        )}
      </div>
    );
  }
  const text = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
  return (
    <div class="notice notice-error" role="alert">
      <span>{text}</span>
      {onRetry && error instanceof ApiError && error.status >= 500 && (
        <button type="button" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

export function Notice({
  children,
  kind = 'info',
}: {
  children: ComponentChildren;
  kind?: 'info' | 'ok' | 'warn';
}) {
  return (
    <div class={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}

export interface Async<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on `reload`); the latest answer wins. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const run = ++latest.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => run === latest.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) =>
        run === latest.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs one command at a time; keeps its error for display next to the form. */
export function useCommand() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const fields = error instanceof ApiError ? error.fields : {};
  return { busy, error, fields, run, clear: () => setError(undefined) };
}

export function downloadCsv(
  fileName: string,
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
): void {
  const blob = new Blob([csvFileContent(header, rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export interface Column<R> {
  readonly key: string;
  readonly label: string;
  readonly render?: (row: R) => ComponentChildren;
  /** The value sorted on and written to CSV. */
  readonly value: (row: R) => string | number | null;
  readonly numeric?: boolean;
}

interface TableProps<R> {
  readonly caption: string;
  readonly columns: readonly Column<R>[];
  readonly rows: readonly R[];
  readonly csvName: string;
  readonly rowKey: (row: R) => string;
  readonly rowClass?: (row: R) => string;
}

/** A table with sortable columns (buttons in the headers, announced with aria-sort) and a CSV download. */
export function DataTable<R>({ caption, columns, rows, csvName, rowKey, rowClass }: TableProps<R>) {
  const { t } = useI18n();
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | undefined>(undefined);
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort?.key);
    if (column === undefined || sort === undefined) return rows;
    return [...rows].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
  }, [rows, columns, sort]);
  const csv = () =>
    downloadCsv(
      csvName,
      columns.map((c) => c.label),
      sorted.map((row) => columns.map((c) => c.value(row))),
    );
  return (
    <div class="table-wrap">
      <div class="table-tools">
        <button type="button" class="secondary" onClick={csv} data-testid={`csv-${csvName}`}>
          {t('downloadCsv')}
        </button>
      </div>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              const ariaSort = active ? (sort?.dir === 1 ? 'ascending' : 'descending') : 'none';
              return (
                <th key={c.key} scope="col" aria-sort={ariaSort} class={c.numeric ? 'num' : ''}>
                  <button
                    type="button"
                    class="sort"
                    title={t('sortBy', { col: c.label })}
                    onClick={() => setSort({ key: c.key, dir: active && sort?.dir === 1 ? -1 : 1 })}
                  >
                    {c.label}
                    <span aria-hidden="true">{active ? (sort?.dir === 1 ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{t('noRows')}</td>
            </tr>
          ) : (
            sorted.map((row) => (
              <tr key={rowKey(row)} class={rowClass?.(row) ?? ''}>
                {columns.map((c) => (
                  <td key={c.key} class={c.numeric ? 'num' : ''}>
                    {c.render ? c.render(row) : c.value(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
