import { describe, expect, it } from 'vitest';
import { escapeHtml, formatVietnamTime, type Receipt, renderReceiptHtml } from './receipt.js';

const unit = {
  id: 'kh.p-nha-trang.ttpvhcc',
  code: '000.22333.H34',
  name: 'Trung tâm Phục vụ hành chính công phường Nha Trang',
};

const receipt: Receipt = {
  form: '01',
  title: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  dossierId: '0197c9a0-0000-7000-8000-000000000001',
  dossierCode: '000.22333.H34-250702-0001',
  procedure: { code: '1.001193', name: 'Đăng ký khai sinh', version: '2025.07' },
  applicant: { type: 1, fullName: '<script>alert(1)</script> Nguyễn' },
  componentsReceived: [{ code: 'giay-chung-sinh', name: 'Giấy chứng sinh' }],
  receivedAt: '2025-07-02T02:00:00.000Z',
  receivedAtLocal: '02/07/2025 09:00',
  dueAt: '2025-07-02T08:00:00.000Z',
  dueAtLocal: '02/07/2025 15:00',
  receivingUnit: unit,
  competentUnit: { id: 'kh.p-nha-trang', code: '22333', name: 'Phường Nha Trang' },
  returningUnit: unit,
  crossBoundary: false,
};

describe('Form 01', () => {
  it('given instants, then dd/MM/yyyy HH:mm in Vietnam time whatever the machine zone', () => {
    expect(formatVietnamTime(new Date('2025-07-02T02:00:00.000Z'))).toBe('02/07/2025 09:00');
    expect(formatVietnamTime(new Date('2025-12-31T17:30:00.000Z'))).toBe('01/01/2026 00:30');
  });

  it('given a name with markup, then the HTML escapes it', () => {
    const html = renderReceiptHtml(receipt);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Nguyễn');
    expect(escapeHtml(`a&b"c'`)).toBe('a&amp;b&quot;c&#39;');
  });

  it('given a receipt, then the page has the Vietnamese labels, the code, the due and where to collect', () => {
    const html = renderReceiptHtml(receipt);
    for (const text of [
      'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
      'Mã hồ sơ',
      '000.22333.H34-250702-0001',
      'Thời gian trả kết quả',
      '02/07/2025 15:00',
      'Nơi nhận kết quả',
      'Giấy chứng sinh',
    ]) {
      expect(html).toContain(text);
    }
  });
});
