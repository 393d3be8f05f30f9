import { useEffect, useState } from 'preact/hooks';
import { requestText } from '../api.js';
import { useI18n } from '../i18n.js';
import { formatDateTime } from '../lib/format.js';
import { publicText } from '../public/messages.js';
import type { Receipt } from '../schemas.js';
import { ErrorNotice, useCommand } from '../ui.js';

/** The dossier code as an SVG QR code; the generator is loaded on first use (outside the initial bundle). */
function QrCode({ text, label }: { text: string; label: string }) {
  const [svg, setSvg] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void import('qrcode-generator').then(({ default: qrcode }) => {
      const qr = qrcode(0, 'M');
      qr.addData(text);
      qr.make();
      if (live) setSvg(qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true }));
    });
    return () => {
      live = false;
    };
  }, [text]);
  // The SVG is produced locally from the dossier code (or tracking URL) by the QR library, never from server-supplied markup.
  return (
    <div
      class="qr"
      role="img"
      aria-label={label}
      data-testid="qr"
      dangerouslySetInnerHTML={{ __html: svg ?? '' }}
    />
  );
}

/** Form 01 (receipt and appointment slip) laid out for printing, with the dossier code as a QR code. */
export function ReceiptSlip({ receipt }: { receipt: Receipt }) {
  const { t, lang } = useI18n();
  const command = useCommand();
  // The official HTML needs the bearer token, so it is fetched here and shown from a local blob in a new tab.
  const openOfficial = () =>
    command.run(async () => {
      const tab = window.open('', '_blank');
      const html = await requestText(`/v1/intake/dossiers/${receipt.dossierId}/receipt.html`);
      const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
      if (tab) tab.location.href = url;
      else window.location.href = url;
    });
  return (
    <section class="card receipt" aria-labelledby="receipt-title" data-testid="receipt">
      <div class="receipt-head">
        <div>
          <small>{receipt.form}</small>
          <h2 id="receipt-title">{t('receipt')}</h2>
          <p class="dossier-code" data-testid="dossier-code">
            {receipt.dossierCode}
          </p>
        </div>
        {/* The QR code opens the public tracking page (code + secret); without a tracking key, the bare code. */}
        <QrCode
          text={
            receipt.tracking === undefined
              ? receipt.dossierCode
              : new URL(receipt.tracking.path, location.origin).toString()
          }
          label={t('qrLabel', { code: receipt.dossierCode })}
        />
      </div>
      <dl class="facts">
        {receipt.tracking && (
          <>
            <dt>{publicText(lang)('secret')}</dt>
            <dd>
              <a
                class="tracking-secret"
                data-testid="tracking-secret"
                href={receipt.tracking.path}
                target="_blank"
                rel="noopener"
              >
                {receipt.tracking.secret}
              </a>
            </dd>
          </>
        )}
        <dt>{t('procedure')}</dt>
        <dd>
          {receipt.procedure.code} — {receipt.procedure.name}
        </dd>
        {receipt.applicant.fullName && (
          <>
            <dt>{t('applicant')}</dt>
            <dd>{receipt.applicant.fullName}</dd>
          </>
        )}
        <dt>{t('receivedAt')}</dt>
        <dd>{formatDateTime(receipt.receivedAt)}</dd>
        <dt>{t('dueAt')}</dt>
        <dd data-testid="due-at">{formatDateTime(receipt.dueAt)}</dd>
        <dt>{t('receivingUnit')}</dt>
        <dd>{receipt.receivingUnit.name}</dd>
        <dt>{t('competentUnit')}</dt>
        <dd>
          {receipt.competentUnit.name}
          {receipt.crossBoundary && <span class="badge warn"> {t('crossBoundary')}</span>}
        </dd>
        <dt>{t('returningUnit')}</dt>
        <dd>{receipt.returningUnit.name}</dd>
        <dt>{t('components')}</dt>
        <dd>
          <ul>
            {receipt.componentsReceived.map((c) => (
              <li key={c.code}>{c.name}</li>
            ))}
          </ul>
        </dd>
      </dl>
      <div class="actions no-print">
        <button type="button" onClick={() => window.print()}>
          {t('print')}
        </button>
        <button type="button" class="secondary" onClick={() => void openOfficial()} disabled={command.busy}>
          {t('openOfficialReceipt')}
        </button>
      </div>
      <ErrorNotice error={command.error} onRetry={() => void openOfficial()} />
    </section>
  );
}
