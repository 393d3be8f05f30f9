/** The figure columns of both report formats, in order, with their Vietnamese headers. */
import type { ReformReport, ReportFigures } from './model.js';
import { dayBefore, vnDate } from './period.js';

export interface FigureColumn {
  readonly key: keyof ReportFigures;
  readonly header: string;
  readonly kind: 'count' | 'rate';
  /** Figured per unit only (empty on the procedure rows). */
  readonly unitOnly?: true;
}

export const FIGURE_COLUMNS: readonly FigureColumn[] = [
  { key: 'received', header: 'Tiếp nhận trong kỳ', kind: 'count' },
  { key: 'carriedOver', header: 'Tồn kỳ trước chuyển sang', kind: 'count' },
  { key: 'ended', header: 'Đã giải quyết', kind: 'count' },
  { key: 'early', header: 'Giải quyết trước hạn', kind: 'count' },
  { key: 'onTime', header: 'Giải quyết đúng hạn', kind: 'count' },
  { key: 'late', header: 'Giải quyết quá hạn', kind: 'count' },
  { key: 'onTimeRate', header: 'Tỷ lệ đúng hạn (2.1)', kind: 'rate' },
  { key: 'open', header: 'Đang giải quyết', kind: 'count' },
  { key: 'inTime', header: 'Đang giải quyết trong hạn', kind: 'count' },
  { key: 'overdue', header: 'Đang giải quyết quá hạn', kind: 'count' },
  { key: 'extended', header: 'Có văn bản xin lỗi, hẹn lại', kind: 'count' },
  { key: 'lateApology', header: 'Xin lỗi sau hạn', kind: 'count' },
  { key: 'digitizationRate', header: 'Tỷ lệ số hóa (4.2)', kind: 'rate' },
  { key: 'onlineRate', header: 'Tỷ lệ nộp trực tuyến (3.3)', kind: 'rate' },
  { key: 'rated', header: 'Lượt đánh giá', kind: 'count' },
  { key: 'dissatisfied', header: 'Không hài lòng', kind: 'count' },
  { key: 'satisfactionRate', header: 'Mức độ hài lòng (5.4)', kind: 'rate' },
  { key: 'feedbackFiled', header: 'Phản ánh, kiến nghị tiếp nhận', kind: 'count', unitOnly: true },
  {
    key: 'feedbackOnTimeRate',
    header: 'Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn (5.2)',
    kind: 'rate',
    unitOnly: true,
  },
  {
    key: 'feedbackSatisfactionRate',
    header: 'Tỷ lệ hài lòng về phản ánh, kiến nghị (5.3)',
    kind: 'rate',
    unitOnly: true,
  },
];

export const REPORT_TITLE = 'BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH';
export const SUMMARY_SHEET = 'Tổng hợp theo đơn vị';
export const DETAIL_SHEET = 'Chi tiết theo thủ tục';

const VN_OFFSET_MS = 7 * 3_600_000;

/** An instant as Vietnam local time `DD/MM/YYYY HH:mm`. */
export function vnDateTime(instant: string): string {
  const local = new Date(Date.parse(instant) + VN_OFFSET_MS).toISOString();
  return `${vnDate(local.slice(0, 10))} ${local.slice(11, 16)}`;
}

/** The title block's lines under the title: province, period, how it was judged, when it was generated. */
export function headerLines(report: ReformReport): string[] {
  const { period } = report;
  const judged =
    report.kpiQuery.asOf === undefined
      ? 'kỳ chưa kết thúc: tình trạng hồ sơ tính đến thời điểm lập báo cáo'
      : 'tình trạng hồ sơ tính đến hết kỳ';
  return [
    report.province === null ? 'Toàn tỉnh' : report.province.name,
    `Kỳ báo cáo: ${period.label} (từ ${vnDate(period.from)} đến ${vnDate(dayBefore(period.to))}); ${judged}`,
    `Ngày lập: ${vnDateTime(report.generatedAt)}`,
  ];
}

/** What the figures mean, in both formats. */
export const REPORT_NOTES: readonly string[] = [
  'Số liệu lấy từ API chỉ số (GET /v1/kpi/units/{đơn vị} và /procedures) với cùng tham số; tính theo hồ sơ ' +
    'tiếp nhận trong kỳ, thời hạn theo quy định.',
  'Tồn kỳ trước chuyển sang: hồ sơ tiếp nhận trước kỳ, chưa giải quyết xong vào đầu kỳ.',
  'Phản ánh, kiến nghị (5.2, 5.3): phản ánh, kiến nghị tiếp nhận trong kỳ, tính cho đơn vị chịu trách nhiệm ' +
    'xử lý; không chia theo thủ tục nên để trống ở bảng chi tiết theo thủ tục.',
];
