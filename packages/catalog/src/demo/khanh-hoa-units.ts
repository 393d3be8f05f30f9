/**
 * Demo apparatus: Khánh Hòa province around the 2025 reforms.
 * - 1 Mar 2025: departments merged (Agriculture & Rural Development + Natural Resources & Environment →
 *   Agriculture and Environment; Planning & Investment into Finance; Transport into Construction), in both
 *   Khánh Hòa and Ninh Thuận.
 * - 1 Jul 2025: two-level local government. Ninh Thuận merged into Khánh Hòa (which keeps code 56); districts
 *   abolished; new wards with their own Public Administration Service Centres.
 * Province codes 56 and 58 are the real ones. Ward codes and the agency e-identifiers (`000.00.xx.H34`, after
 * the QĐ 20/2020/QĐ-TTg pattern) are plausible stand-ins, not the official values. Units in force before the
 * reforms are registered from 1 Jan 2020, where this registry's history begins.
 */
import type { UnitEventInput } from '../unit-events.js';

export const demoUnitIds = {
  province: 'kh',
  ninhThuan: 'nt',
  provincialCentre: 'kh.ttpvhcc',
  ninhThuanCentre: 'nt.ttpvhcc',
  justice: 'kh.so-tu-phap',
  finance: 'kh.so-tai-chinh',
  construction: 'kh.so-xay-dung',
  agricultureEnvironment: 'kh.so-nn-mt',
  agricultureRuralDevelopment: 'kh.so-nn-ptnt',
  naturalResourcesEnvironment: 'kh.so-tn-mt',
  planningInvestment: 'kh.so-kh-dt',
  transport: 'kh.so-gtvt',
  ninhThuanJustice: 'nt.so-tu-phap',
  ninhThuanAgricultureRuralDevelopment: 'nt.so-nn-ptnt',
  ninhThuanNaturalResourcesEnvironment: 'nt.so-tn-mt',
  ninhThuanAgricultureEnvironment: 'nt.so-nn-mt',
  nhaTrangWard: 'kh.p-nha-trang',
  camRanhWard: 'kh.p-cam-ranh',
  phanRangWard: 'kh.p-phan-rang',
  nhaTrangCentre: 'kh.p-nha-trang.ttpvhcc',
  camRanhCentre: 'kh.p-cam-ranh.ttpvhcc',
  phanRangCentre: 'kh.p-phan-rang.ttpvhcc',
} as const;

const u = demoUnitIds;
const HISTORY_START = '2020-01-01';
const DEPARTMENT_MERGER = '2025-03-01';
const TWO_LEVEL_REFORM = '2025-07-01';

export const demoUnitEvents: readonly UnitEventInput[] = [
  {
    type: 'established',
    on: HISTORY_START,
    unit: { id: u.province, code: '56', name: 'Tỉnh Khánh Hòa', kind: 'province' },
  },
  {
    type: 'established',
    on: HISTORY_START,
    unit: { id: u.ninhThuan, code: '58', name: 'Tỉnh Ninh Thuận', kind: 'province' },
  },
  {
    type: 'established',
    on: HISTORY_START,
    unit: {
      id: u.provincialCentre,
      code: '000.00.01.H34',
      name: 'Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa',
      kind: 'provincial_centre',
      parentId: u.province,
    },
  },
  {
    type: 'established',
    on: HISTORY_START,
    unit: {
      id: u.ninhThuanCentre,
      code: '000.00.01.H45',
      name: 'Trung tâm Phục vụ hành chính công tỉnh Ninh Thuận',
      kind: 'provincial_centre',
      parentId: u.ninhThuan,
    },
  },
  ...(
    [
      [u.justice, '000.00.10.H34', 'Sở Tư pháp tỉnh Khánh Hòa', u.province],
      [u.finance, '000.00.11.H34', 'Sở Tài chính tỉnh Khánh Hòa', u.province],
      [u.construction, '000.00.12.H34', 'Sở Xây dựng tỉnh Khánh Hòa', u.province],
      [
        u.agricultureRuralDevelopment,
        '000.00.05.H34',
        'Sở Nông nghiệp và Phát triển nông thôn tỉnh Khánh Hòa',
        u.province,
      ],
      [
        u.naturalResourcesEnvironment,
        '000.00.06.H34',
        'Sở Tài nguyên và Môi trường tỉnh Khánh Hòa',
        u.province,
      ],
      [u.planningInvestment, '000.00.07.H34', 'Sở Kế hoạch và Đầu tư tỉnh Khánh Hòa', u.province],
      [u.transport, '000.00.08.H34', 'Sở Giao thông vận tải tỉnh Khánh Hòa', u.province],
      [u.ninhThuanJustice, '000.00.10.H45', 'Sở Tư pháp tỉnh Ninh Thuận', u.ninhThuan],
      [
        u.ninhThuanAgricultureRuralDevelopment,
        '000.00.05.H45',
        'Sở Nông nghiệp và Phát triển nông thôn tỉnh Ninh Thuận',
        u.ninhThuan,
      ],
      [
        u.ninhThuanNaturalResourcesEnvironment,
        '000.00.06.H45',
        'Sở Tài nguyên và Môi trường tỉnh Ninh Thuận',
        u.ninhThuan,
      ],
    ] as const
  ).map(
    ([id, code, name, parentId]): UnitEventInput => ({
      type: 'established',
      on: HISTORY_START,
      unit: { id, code, name, kind: 'department', parentId },
    }),
  ),

  // 1 Mar 2025: department mergers (new codes for new units; codes are never reused).
  {
    type: 'established',
    on: DEPARTMENT_MERGER,
    unit: {
      id: u.agricultureEnvironment,
      code: '000.00.13.H34',
      name: 'Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa',
      kind: 'department',
      parentId: u.province,
    },
  },
  {
    type: 'merged',
    on: DEPARTMENT_MERGER,
    unitIds: [u.agricultureRuralDevelopment, u.naturalResourcesEnvironment],
    intoId: u.agricultureEnvironment,
  },
  { type: 'merged', on: DEPARTMENT_MERGER, unitIds: [u.planningInvestment], intoId: u.finance },
  { type: 'merged', on: DEPARTMENT_MERGER, unitIds: [u.transport], intoId: u.construction },
  {
    type: 'established',
    on: DEPARTMENT_MERGER,
    unit: {
      id: u.ninhThuanAgricultureEnvironment,
      code: '000.00.13.H45',
      name: 'Sở Nông nghiệp và Môi trường tỉnh Ninh Thuận',
      kind: 'department',
      parentId: u.ninhThuan,
    },
  },
  {
    type: 'merged',
    on: DEPARTMENT_MERGER,
    unitIds: [u.ninhThuanAgricultureRuralDevelopment, u.ninhThuanNaturalResourcesEnvironment],
    intoId: u.ninhThuanAgricultureEnvironment,
  },

  // 1 Jul 2025: Ninh Thuận joins Khánh Hòa; its centre and departments fold into Khánh Hòa's.
  { type: 'merged', on: TWO_LEVEL_REFORM, unitIds: [u.ninhThuanCentre], intoId: u.provincialCentre },
  { type: 'merged', on: TWO_LEVEL_REFORM, unitIds: [u.ninhThuanJustice], intoId: u.justice },
  {
    type: 'merged',
    on: TWO_LEVEL_REFORM,
    unitIds: [u.ninhThuanAgricultureEnvironment],
    intoId: u.agricultureEnvironment,
  },
  { type: 'merged', on: TWO_LEVEL_REFORM, unitIds: [u.ninhThuan], intoId: u.province },
  ...(
    [
      [u.nhaTrangWard, '22333', 'Phường Nha Trang', u.nhaTrangCentre, '000.22333.H34'],
      [u.camRanhWard, '22528', 'Phường Cam Ranh', u.camRanhCentre, '000.22528.H34'],
      [u.phanRangWard, '22738', 'Phường Phan Rang', u.phanRangCentre, '000.22738.H34'],
    ] as const
  ).flatMap(([wardId, wardCode, wardName, centreId, centreCode]): UnitEventInput[] => [
    {
      type: 'established',
      on: TWO_LEVEL_REFORM,
      unit: { id: wardId, code: wardCode, name: wardName, kind: 'commune', parentId: u.province },
    },
    {
      type: 'established',
      on: TWO_LEVEL_REFORM,
      unit: {
        id: centreId,
        code: centreCode,
        name: `Trung tâm Phục vụ hành chính công ${wardName.replace('Phường', 'phường')}`,
        kind: 'commune_centre',
        parentId: wardId,
      },
    },
  ]),
];
