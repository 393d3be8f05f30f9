/**
 * Public, Vietnamese wording for the tracking page: the national status (the DVCQG portal's own terms) and the
 * lifecycle events a citizen may see. An event type absent from `PUBLIC_STEP_LABELS` is never shown (scans,
 * ratings, feedback, internal bookkeeping): the public list is an allow-list, not a deny-list.
 */
import type { Classification, DossierEventType, NationalStatus } from '@onestop/domain';

export const NATIONAL_STATUS_LABELS_VI: Readonly<Record<NationalStatus, string>> = {
  1: 'Mới đăng ký',
  2: 'Đã tiếp nhận',
  3: 'Không tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung hồ sơ',
  6: 'Chờ thực hiện nghĩa vụ tài chính',
  7: 'Đã rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
};

export const CLASSIFICATION_LABELS_VI: Readonly<Record<Classification, string>> = {
  early: 'Hoàn thành trước hạn',
  on_time: 'Hoàn thành đúng hạn',
  late: 'Hoàn thành quá hạn',
  in_time: 'Đang trong hạn',
  overdue: 'Đang quá hạn',
};

export const PUBLIC_STEP_LABELS: Readonly<Partial<Record<DossierEventType, string>>> = {
  DossierRegistered: 'Đăng ký hồ sơ',
  DossierReceived: 'Tiếp nhận hồ sơ',
  DossierTransferred: 'Chuyển hồ sơ đến cơ quan giải quyết',
  CaseAssigned: 'Phân công xử lý',
  StepCompleted: 'Hoàn thành bước xử lý',
  ConsultationRequested: 'Lấy ý kiến cơ quan liên quan',
  ConsultationAnswered: 'Nhận ý kiến cơ quan liên quan',
  SupplementRequested: 'Yêu cầu bổ sung hồ sơ',
  SupplementReceived: 'Nhận hồ sơ bổ sung',
  PaymentRequested: 'Thông báo nghĩa vụ tài chính',
  PaymentConfirmed: 'Hoàn thành nghĩa vụ tài chính',
  DeadlineExtended: 'Gia hạn, hẹn lại ngày trả kết quả',
  ProcessingStopped: 'Dừng xử lý hồ sơ',
  DossierDecided: 'Có kết quả giải quyết',
  ResultSentToDesk: 'Chuyển kết quả đến bộ phận một cửa',
  ResultReceivedAtDesk: 'Bộ phận một cửa nhận kết quả',
  ResultReturned: 'Trả kết quả',
  DossierWithdrawn: 'Rút hồ sơ',
};
