import { useState } from 'preact/hooks';
import { upload } from '../api.js';
import { useI18n } from '../i18n.js';
import { formatDateTime } from '../lib/format.js';
import { DigitizedComponent } from '../schemas.js';
import { ErrorNotice } from '../ui.js';

interface ComponentUploadProps {
  readonly dossierId: string;
  readonly code: string;
  readonly name: string;
  readonly done: DigitizedComponent | undefined;
  readonly onDone: () => void;
}

/** One component's scan: drop a file on the zone (or pick one with the keyboard), see the upload's progress. */
export function ComponentUpload({ dossierId, code, name, done, onDone }: ComponentUploadProps) {
  const { t } = useI18n();
  const [progress, setProgress] = useState<number | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [over, setOver] = useState(false);
  const [last, setLast] = useState<File | undefined>(undefined);
  const id = `upload-${code}`;

  const send = (file: File) => {
    setLast(file);
    setError(undefined);
    setProgress(0);
    upload(
      DigitizedComponent,
      `/v1/digitization/dossiers/${dossierId}/components`,
      { code },
      file,
      setProgress,
    ).then(
      () => {
        setProgress(undefined);
        onDone();
      },
      (e: unknown) => {
        setProgress(undefined);
        setError(e);
      },
    );
  };
  return (
    <li class={`upload${over ? ' over' : ''}`} data-component={code}>
      <fieldset
        class="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const file = e.dataTransfer?.files[0];
          if (file) send(file);
        }}
      >
        <legend class="upload-title">
          <strong>{name}</strong>{' '}
          {done ? (
            <span class="badge ok" data-testid={`digitized-${code}`}>
              {t('digitized')} · {formatDateTime(done.digitizedAt)} · {done.sha256.slice(0, 12)}…
            </span>
          ) : (
            <span class="badge">{t('notDigitized')}</span>
          )}
        </legend>
        <label for={id} class="hint">
          {t('dropHere')}
        </label>
        <input
          id={id}
          type="file"
          accept="application/pdf,image/jpeg,image/png"
          aria-label={t('chooseFile', { name })}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) send(file);
            e.currentTarget.value = '';
          }}
        />
        {progress !== undefined && (
          <progress
            max={1}
            value={progress}
            aria-label={t('uploading', { pct: `${Math.round(progress * 100)} %` })}
          >
            {Math.round(progress * 100)} %
          </progress>
        )}
      </fieldset>
      <ErrorNotice error={error} onRetry={last ? () => send(last) : undefined} />
    </li>
  );
}
