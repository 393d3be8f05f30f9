/**
 * The public page's wording (Vietnamese by default, English one click away). Kept beside the page rather than in
 * the staff app's dictionary: citizens read it, and it ships with the page.
 */
import type { Lang } from '../i18n.js';

const vi = {
  title: 'Công khai kết quả giải quyết thủ tục hành chính',
  intro:
    'Số liệu của từng cơ quan giải quyết theo kỳ, và tra cứu tiến độ hồ sơ bằng mã hồ sơ cùng mã tra cứu in trên Giấy tiếp nhận hồ sơ. Không cần đăng nhập.',
  trackTitle: 'Tra cứu hồ sơ',
  code: 'Mã hồ sơ',
  codeHint: 'vd: 000.00.01.H34-260309-0001',
  secret: 'Mã tra cứu',
  secretHint: '12 ký tự in trên Giấy tiếp nhận hồ sơ, cạnh mã QR',
  track: 'Tra cứu',
  notFound:
    'Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. Vui lòng kiểm tra lại thông tin trên Giấy tiếp nhận.',
  tooMany: 'Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.',
  status: 'Trạng thái',
  procedure: 'Thủ tục',
  competentUnit: 'Cơ quan giải quyết',
  receivingUnit: 'Nơi tiếp nhận',
  receivedAt: 'Ngày nhận hồ sơ',
  statutoryDueAt: 'Hạn giải quyết',
  appointmentDueAt: 'Ngày hẹn trả kết quả',
  endedAt: 'Ngày hoàn thành',
  progress: 'Tiến độ',
  steps: 'Quá trình xử lý',
  stepAt: 'Thời gian',
  stepWhat: 'Nội dung',
  stepUnit: 'Đơn vị',
  unitsTitle: 'Kết quả giải quyết theo cơ quan',
  from: 'Nhận từ ngày',
  to: 'Đến trước ngày',
  show: 'Xem',
  unit: 'Cơ quan',
  received: 'Đã nhận',
  ended: 'Đã giải quyết',
  onTimeRate: 'Tỷ lệ đúng hạn',
  late: 'Trễ hạn',
  overdue: 'Đang quá hạn',
  avgDays: 'Số ngày xử lý bình quân',
  satisfaction: 'Mức độ hài lòng',
  feedbackFiled: 'Phản ánh, kiến nghị đã nhận',
  feedbackAnswered: 'Phản ánh, kiến nghị đã trả lời',
  feedbackOnTimeRate: 'Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn',
  feedbackSatisfaction: 'Mức độ hài lòng về xử lý phản ánh, kiến nghị',
  signInLink: 'Dành cho cán bộ: đăng nhập',
};

export type PublicKey = keyof typeof vi;

const en: Record<PublicKey, string> = {
  title: 'Public results of administrative procedures',
  intro:
    'Each deciding agency’s figures for a period, and the progress of a dossier by its code and the tracking secret printed on the receipt. No sign-in needed.',
  trackTitle: 'Track a dossier',
  code: 'Dossier code',
  codeHint: 'e.g. 000.00.01.H34-260309-0001',
  secret: 'Tracking secret',
  secretHint: '12 characters printed on the receipt, next to the QR code',
  track: 'Track',
  notFound: 'No dossier matches this code and tracking secret. Please check them against the receipt.',
  tooMany: 'Too many lookups. Please try again in a few minutes.',
  status: 'Status',
  procedure: 'Procedure',
  competentUnit: 'Deciding agency',
  receivingUnit: 'Received at',
  receivedAt: 'Received on',
  statutoryDueAt: 'Statutory due',
  appointmentDueAt: 'Result appointment',
  endedAt: 'Completed on',
  progress: 'Progress',
  steps: 'Steps',
  stepAt: 'When',
  stepWhat: 'What',
  stepUnit: 'Agency',
  unitsTitle: 'Results by agency',
  from: 'Received from',
  to: 'Received before',
  show: 'Show',
  unit: 'Agency',
  received: 'Received',
  ended: 'Resolved',
  onTimeRate: 'On-time rate',
  late: 'Late',
  overdue: 'Overdue now',
  avgDays: 'Average working days',
  satisfaction: 'Satisfaction',
  feedbackFiled: 'Feedback received',
  feedbackAnswered: 'Feedback answered',
  feedbackOnTimeRate: 'Feedback handled on time',
  feedbackSatisfaction: 'Satisfaction with feedback handling',
  signInLink: 'Staff: sign in',
};

export function publicText(lang: Lang): (key: PublicKey) => string {
  const dictionary = lang === 'en' ? en : vi;
  return (key) => dictionary[key];
}

/** English names of the public steps (the server labels them in Vietnamese). */
const STEP_EN: Readonly<Record<string, string>> = {
  DossierRegistered: 'Registered',
  DossierReceived: 'Received',
  DossierTransferred: 'Sent to the deciding agency',
  CaseAssigned: 'Assigned',
  StepCompleted: 'Step completed',
  ConsultationRequested: 'Other agencies consulted',
  ConsultationAnswered: 'Consultation answered',
  SupplementRequested: 'Supplement requested',
  SupplementReceived: 'Supplement received',
  PaymentRequested: 'Fees notified',
  PaymentConfirmed: 'Fees paid',
  DeadlineExtended: 'New result appointment',
  ProcessingStopped: 'Processing stopped',
  DossierDecided: 'Decided',
  ResultSentToDesk: 'Result sent to the desk',
  ResultReceivedAtDesk: 'Result at the desk',
  ResultReturned: 'Result returned',
  DossierWithdrawn: 'Withdrawn',
};

const PROGRESS_EN: Readonly<Record<string, string>> = {
  early: 'Completed early',
  on_time: 'Completed on time',
  late: 'Completed late',
  in_time: 'In time',
  overdue: 'Overdue',
};

export function stepLabel(lang: Lang, step: { type: string; label: string }): string {
  return lang === 'en' ? (STEP_EN[step.type] ?? step.label) : step.label;
}

export function progressLabel(lang: Lang, progress: { classification: string; label: string }): string {
  return lang === 'en' ? (PROGRESS_EN[progress.classification] ?? progress.label) : progress.label;
}
