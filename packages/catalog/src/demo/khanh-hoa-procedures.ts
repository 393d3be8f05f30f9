/**
 * Demo procedures of Khánh Hòa's catalogue after the 1 Jul 2025 reform. Names, fields and limits follow the
 * national database; fees are indicative (many are set by provincial resolutions). Codes marked "plausible"
 * are of the right form but were not checked against the national database.
 */
import type { ProcedureInput } from '../procedures.js';
import { demoUnitIds as u } from './khanh-hoa-units.js';

const wards = [u.nhaTrangWard, u.camRanhWard, u.phanRangWard];
const VERSION = '2025.07';
const EFFECTIVE = '2025-07-01';

type Step = ProcedureInput['steps'][number];
/** The usual hand-overs: desk → specialist → (leader) → signer, with the hours each may take. */
function steps(clerk: number, specialist: number, leader: number, signer: number): Step[] {
  const all: Step[] = [
    { stepId: 'receive', name: 'Tiếp nhận, chuyển hồ sơ', role: 'clerk', budgetWorkingHours: clerk },
    { stepId: 'appraise', name: 'Thẩm định hồ sơ', role: 'specialist', budgetWorkingHours: specialist },
    { stepId: 'review', name: 'Lãnh đạo phòng xem xét', role: 'leader', budgetWorkingHours: leader },
    { stepId: 'sign', name: 'Ký duyệt kết quả', role: 'signer', budgetWorkingHours: signer },
  ];
  return all.filter((step) => step.budgetWorkingHours > 0);
}

export const demoProcedures: readonly ProcedureInput[] = [
  {
    code: '1.001193',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Đăng ký khai sinh',
    field: 'Hộ tịch',
    // Same day under the Law on Civil Status; modelled as half a working day in working hours.
    limit: { value: 4, unit: 'working_hours' },
    competentUnitIds: wards,
    components: [
      { code: 'to-khai-khai-sinh', name: 'Tờ khai đăng ký khai sinh', required: true, mustDigitize: true },
      { code: 'giay-chung-sinh', name: 'Giấy chứng sinh', required: true, mustDigitize: true },
      {
        code: 'van-ban-uy-quyen',
        name: 'Văn bản ủy quyền (nếu nộp thay)',
        required: false,
        mustDigitize: false,
      },
    ],
    feeVnd: 0,
    steps: steps(1, 2, 0, 1),
    crossBoundaryEligible: true,
    onlineLevel: 'full',
    resultIsDocument: true,
  },
  {
    code: '1.000894',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Đăng ký kết hôn',
    field: 'Hộ tịch',
    // Immediate when nothing needs checking; 5 working days is the statutory ceiling when verification is needed.
    limit: { value: 5, unit: 'working_days' },
    competentUnitIds: wards,
    components: [
      { code: 'to-khai-ket-hon', name: 'Tờ khai đăng ký kết hôn', required: true, mustDigitize: true },
      {
        code: 'xac-nhan-hon-nhan',
        name: 'Giấy xác nhận tình trạng hôn nhân',
        required: false,
        mustDigitize: true,
      },
    ],
    feeVnd: 0,
    steps: steps(4, 28, 4, 4),
    crossBoundaryEligible: true,
    onlineLevel: 'partial',
    resultIsDocument: true,
  },
  {
    code: '1.000656',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Đăng ký khai tử',
    field: 'Hộ tịch',
    limit: { value: 1, unit: 'working_days' },
    competentUnitIds: wards,
    components: [
      { code: 'to-khai-khai-tu', name: 'Tờ khai đăng ký khai tử', required: true, mustDigitize: true },
      { code: 'giay-bao-tu', name: 'Giấy báo tử hoặc giấy tờ thay thế', required: true, mustDigitize: true },
    ],
    feeVnd: 0,
    steps: steps(2, 4, 0, 2),
    crossBoundaryEligible: true,
    onlineLevel: 'full',
    resultIsDocument: true,
  },
  {
    code: '2.000908',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp',
    field: 'Chứng thực',
    // Same day (next working day if received after 15:00): half a working day.
    limit: { value: 0.5, unit: 'working_days' },
    competentUnitIds: wards,
    components: [
      { code: 'ban-chinh', name: 'Bản chính giấy tờ, văn bản', required: true, mustDigitize: false },
      { code: 'ban-sao', name: 'Bản sao cần chứng thực', required: true, mustDigitize: true },
    ],
    // 2,000 VND a page for the first two pages, 1,000 after; the per-page fee is shown.
    feeVnd: 2000,
    steps: steps(1, 2, 0, 1),
    crossBoundaryEligible: true,
    onlineLevel: 'partial',
    resultIsDocument: true,
  },
  {
    code: '1.004873',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Cấp Giấy xác nhận tình trạng hôn nhân',
    field: 'Hộ tịch',
    limit: { value: 3, unit: 'working_days' },
    competentUnitIds: wards,
    components: [
      {
        code: 'to-khai-xac-nhan',
        name: 'Tờ khai cấp Giấy xác nhận tình trạng hôn nhân',
        required: true,
        mustDigitize: true,
      },
    ],
    feeVnd: 15000,
    steps: steps(4, 12, 4, 4),
    crossBoundaryEligible: true,
    onlineLevel: 'full',
    resultIsDocument: true,
  },
  {
    code: '2.000575',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Đăng ký thành lập hộ kinh doanh',
    field: 'Thành lập và hoạt động của hộ kinh doanh',
    limit: { value: 3, unit: 'working_days' },
    competentUnitIds: wards,
    components: [
      {
        code: 'giay-de-nghi',
        name: 'Giấy đề nghị đăng ký hộ kinh doanh',
        required: true,
        mustDigitize: true,
      },
      {
        code: 'bien-ban-hop',
        name: 'Biên bản họp thành viên hộ gia đình (nếu có)',
        required: false,
        mustDigitize: true,
      },
    ],
    feeVnd: 100000,
    steps: steps(4, 14, 4, 2),
    crossBoundaryEligible: true,
    onlineLevel: 'full',
    resultIsDocument: true,
  },
  {
    code: '2.000488',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam',
    field: 'Lý lịch tư pháp',
    limit: { value: 10, unit: 'working_days' },
    competentUnitIds: [u.justice],
    components: [
      {
        code: 'to-khai-lltp',
        name: 'Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp',
        required: true,
        mustDigitize: true,
      },
      { code: 'giay-to-tuy-than', name: 'Bản chụp giấy tờ tùy thân', required: true, mustDigitize: true },
    ],
    feeVnd: 200000,
    // The specialist's share includes the consultation with the police records office.
    steps: steps(4, 60, 8, 8),
    crossBoundaryEligible: true,
    onlineLevel: 'full',
    resultIsDocument: true,
  },
  {
    // Plausible code.
    code: '2.002042',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên',
    field: 'Thành lập và hoạt động doanh nghiệp',
    limit: { value: 3, unit: 'working_days' },
    // Business registration moved from Planning & Investment to Finance with the 1 Mar 2025 merger.
    competentUnitIds: [u.finance],
    components: [
      { code: 'giay-de-nghi', name: 'Giấy đề nghị đăng ký doanh nghiệp', required: true, mustDigitize: true },
      { code: 'dieu-le', name: 'Điều lệ công ty', required: true, mustDigitize: true },
      {
        code: 'giay-to-chu-so-huu',
        name: 'Bản sao giấy tờ pháp lý của chủ sở hữu',
        required: true,
        mustDigitize: true,
      },
    ],
    feeVnd: 50000,
    steps: steps(2, 16, 4, 2),
    crossBoundaryEligible: true,
    onlineLevel: 'full',
    resultIsDocument: true,
  },
  {
    // Plausible code.
    code: '1.012756',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu',
    field: 'Đất đai',
    limit: { value: 30, unit: 'working_days' },
    competentUnitIds: [u.agricultureEnvironment],
    components: [
      {
        code: 'don-dang-ky',
        name: 'Đơn đăng ký đất đai, tài sản gắn liền với đất',
        required: true,
        mustDigitize: true,
      },
      { code: 'giay-to-nguon-goc', name: 'Giấy tờ về quyền sử dụng đất', required: true, mustDigitize: true },
      {
        code: 'chung-tu-nghia-vu',
        name: 'Chứng từ thực hiện nghĩa vụ tài chính',
        required: false,
        mustDigitize: true,
      },
    ],
    feeVnd: 100000,
    // Site survey and land-levy assessment; waiting for the levy to be paid stops the clock.
    steps: steps(8, 200, 16, 16),
    crossBoundaryEligible: true,
    onlineLevel: 'partial',
    resultIsDocument: true,
    pausesOnPayment: true,
  },
  {
    // Plausible code.
    code: '1.009972',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Cấp giấy phép xây dựng mới đối với công trình cấp I, cấp II',
    field: 'Hoạt động xây dựng',
    // The Law on Construction counts this limit in days, not working days.
    limit: { value: 20, unit: 'calendar_days' },
    competentUnitIds: [u.construction],
    components: [
      { code: 'don-de-nghi', name: 'Đơn đề nghị cấp giấy phép xây dựng', required: true, mustDigitize: true },
      {
        code: 'quyen-su-dung-dat',
        name: 'Giấy tờ chứng minh quyền sử dụng đất',
        required: true,
        mustDigitize: true,
      },
      { code: 'ban-ve-thiet-ke', name: 'Bản vẽ thiết kế xây dựng', required: true, mustDigitize: true },
    ],
    feeVnd: 150000,
    steps: steps(8, 88, 8, 8),
    crossBoundaryEligible: true,
    onlineLevel: 'partial',
    resultIsDocument: true,
    // The permit fee is paid at intake, so there is no financial-obligation wait to pause for.
    pausesOnPayment: false,
  },
  {
    // Plausible code.
    code: '1.002861',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Cấp Giấy phép kinh doanh vận tải bằng xe ô tô',
    field: 'Đường bộ',
    limit: { value: 5, unit: 'working_days' },
    // Road transport moved from the Department of Transport to Construction with the 1 Mar 2025 merger.
    competentUnitIds: [u.construction],
    components: [
      {
        code: 'giay-de-nghi',
        name: 'Giấy đề nghị cấp Giấy phép kinh doanh vận tải',
        required: true,
        mustDigitize: true,
      },
      {
        code: 'phuong-an-kinh-doanh',
        name: 'Phương án kinh doanh vận tải',
        required: true,
        mustDigitize: true,
      },
    ],
    feeVnd: 200000,
    steps: steps(4, 28, 4, 4),
    crossBoundaryEligible: true,
    onlineLevel: 'full',
    resultIsDocument: true,
  },
  {
    // Plausible code.
    code: '1.012839',
    version: VERSION,
    effectiveFrom: EFFECTIVE,
    name: 'Đăng ký biện pháp bảo đảm bằng quyền sử dụng đất, tài sản gắn liền với đất',
    field: 'Đăng ký biện pháp bảo đảm',
    limit: { value: 1, unit: 'working_days' },
    competentUnitIds: [u.agricultureEnvironment],
    components: [
      {
        code: 'phieu-yeu-cau',
        name: 'Phiếu yêu cầu đăng ký biện pháp bảo đảm',
        required: true,
        mustDigitize: true,
      },
      { code: 'hop-dong-bao-dam', name: 'Hợp đồng bảo đảm', required: true, mustDigitize: true },
      {
        code: 'giay-chung-nhan',
        name: 'Bản gốc Giấy chứng nhận quyền sử dụng đất',
        required: true,
        mustDigitize: false,
      },
    ],
    feeVnd: 80000,
    steps: steps(2, 4, 0, 2),
    crossBoundaryEligible: false,
    onlineLevel: 'partial',
    resultIsDocument: true,
  },
];
