import { describe, expect, it } from 'vitest';
import { demoCatalog, demoUnitEvents, demoUnitIds as ids } from './demo/index.js';
import { UnitCodeReused, UnitInvalid, UnitNotFound, UnitNotInForce, UnitSuccessorCycle } from './errors.js';
import { createUnitRegistryFromEvents, type UnitEventInput, unitRecordsFromEvents } from './unit-events.js';
import { createUnitRegistry, type UnitRecord } from './units.js';

const registry = demoCatalog;
// Local midnight of 1 Mar 2025 in Vietnam is 17:00 UTC the day before.
const lastInstantBeforeMerger = new Date('2025-02-28T16:59:59.999Z');
const mergerStart = new Date('2025-02-28T17:00:00.000Z');

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected an error');
}

describe('demo unit registry', () => {
  it('loads every demo event into a unit, with province and commune codes of the right width', () => {
    const established = demoUnitEvents.filter((e) => e.type === 'established').length;
    const units = registry.units();
    expect(units).toHaveLength(established);
    for (const unit of units.filter((u) => u.kind === 'province')) expect(unit.code).toMatch(/^\d{2}$/);
    for (const unit of units.filter((u) => u.kind === 'commune')) expect(unit.code).toMatch(/^\d{5}$/);
    expect(units.filter((u) => u.kind === 'commune_centre')).toHaveLength(3);
  });

  it('given the 1 Mar 2025 merger, when asking unitAt around local midnight, then predecessors end and the successor begins', () => {
    expect(registry.unitAt(ids.agricultureRuralDevelopment, lastInstantBeforeMerger).name).toBe(
      'Sở Nông nghiệp và Phát triển nông thôn tỉnh Khánh Hòa',
    );
    const ended = caught(() => registry.unitAt(ids.agricultureRuralDevelopment, mergerStart));
    expect(UnitNotInForce.is(ended) && ended.details).toEqual({
      unitId: ids.agricultureRuralDevelopment,
      at: mergerStart.toISOString(),
      validFrom: '2020-01-01',
      validTo: '2025-03-01',
    });
    expect(registry.unitAt(ids.agricultureEnvironment, mergerStart).code).toBe('000.00.13.H34');
    const notYet = caught(() => registry.unitAt(ids.agricultureEnvironment, lastInstantBeforeMerger));
    expect(UnitNotInForce.is(notYet) && notYet.details.unitId).toBe(ids.agricultureEnvironment);
  });

  it('records the predecessors as ended with their successor', () => {
    for (const id of [ids.agricultureRuralDevelopment, ids.naturalResourcesEnvironment]) {
      expect(registry.unit(id)).toMatchObject({
        validTo: '2025-03-01',
        successorId: ids.agricultureEnvironment,
      });
    }
    expect(registry.unit(ids.planningInvestment).successorId).toBe(ids.finance);
    expect(registry.unit(ids.agricultureEnvironment).validTo).toBeUndefined();
  });

  it('follows successor links through both reforms, only as far as asOf allows', () => {
    const start = ids.ninhThuanNaturalResourcesEnvironment;
    expect(registry.currentSuccessor(start).id).toBe(ids.agricultureEnvironment);
    expect(registry.currentSuccessor(start, new Date('2025-01-15T03:00:00Z')).id).toBe(start);
    expect(registry.currentSuccessor(start, mergerStart).id).toBe(ids.ninhThuanAgricultureEnvironment);
    expect(registry.currentSuccessor(start, new Date('2025-06-30T16:59:59Z')).id).toBe(
      ids.ninhThuanAgricultureEnvironment,
    );
    expect(registry.currentSuccessor(start, new Date('2025-06-30T17:00:00Z')).id).toBe(
      ids.agricultureEnvironment,
    );
    expect(registry.currentSuccessor(ids.justice).id).toBe(ids.justice);
  });

  it('rolls history up to the current unit, or keeps the unit as it was', () => {
    expect(registry.rollupTarget(ids.naturalResourcesEnvironment, 'current')).toBe(
      ids.agricultureEnvironment,
    );
    expect(registry.rollupTarget(ids.naturalResourcesEnvironment, 'historical')).toBe(
      ids.naturalResourcesEnvironment,
    );
    expect(registry.rollupTarget(ids.ninhThuan, 'current')).toBe(ids.province);
    expect(registry.rollupTarget(ids.ninhThuanCentre, 'current')).toBe(ids.provincialCentre);
  });

  it('lists what a current report of the merged department covers, before and after the province merger', () => {
    expect([...registry.rolledUpFrom(ids.agricultureEnvironment)].sort()).toEqual(
      [
        ids.agricultureEnvironment,
        ids.agricultureRuralDevelopment,
        ids.naturalResourcesEnvironment,
        ids.ninhThuanAgricultureEnvironment,
        ids.ninhThuanAgricultureRuralDevelopment,
        ids.ninhThuanNaturalResourcesEnvironment,
      ].sort(),
    );
    expect(
      [...registry.rolledUpFrom(ids.agricultureEnvironment, new Date('2025-05-01T00:00:00Z'))].sort(),
    ).toEqual(
      [ids.agricultureEnvironment, ids.agricultureRuralDevelopment, ids.naturalResourcesEnvironment].sort(),
    );
  });

  it('lists the units in force at an instant', () => {
    const before = registry.unitsInForce(lastInstantBeforeMerger).map((u) => u.id);
    const after = registry.unitsInForce(new Date('2026-01-05T02:00:00Z')).map((u) => u.id);
    expect(before).toContain(ids.transport);
    expect(before).not.toContain(ids.nhaTrangCentre);
    expect(after).not.toContain(ids.transport);
    expect(after).not.toContain(ids.ninhThuan);
    expect(after).toEqual(
      expect.arrayContaining([ids.nhaTrangCentre, ids.camRanhCentre, ids.phanRangCentre, ids.justice]),
    );
  });

  it('given an unknown unit id, then every lookup throws not-found naming the id', () => {
    const lookups = [
      () => registry.unit('kh.nowhere'),
      () => registry.unitAt('kh.nowhere', mergerStart),
      () => registry.currentSuccessor('kh.nowhere'),
      () => registry.rollupTarget('kh.nowhere', 'historical'),
      () => registry.rollupTarget('kh.nowhere', 'current'),
      () => registry.rolledUpFrom('kh.nowhere'),
    ];
    for (const lookup of lookups) {
      const error = caught(lookup);
      expect(UnitNotFound.is(error) && error.details).toEqual({ unitId: 'kh.nowhere' });
    }
  });
});

const base: UnitEventInput[] = [
  { type: 'established', on: '2020-01-01', unit: { id: 'p', code: '56', name: 'Tỉnh P', kind: 'province' } },
  {
    type: 'established',
    on: '2020-01-01',
    unit: { id: 'a', code: 'A.1', name: 'Sở A', kind: 'department', parentId: 'p' },
  },
  {
    type: 'established',
    on: '2020-01-01',
    unit: { id: 'b', code: 'B.1', name: 'Sở B', kind: 'department', parentId: 'p' },
  },
];

describe('unit lifecycle events', () => {
  it('given a rename, then unitAt shows the name in force at each instant and unit() the latest', () => {
    const registry = createUnitRegistryFromEvents([
      ...base,
      { type: 'renamed', on: '2024-01-01', unitId: 'a', name: 'Sở A mới', code: 'A.2' },
    ]);
    expect(registry.unitAt('a', new Date('2023-12-31T16:59:59Z'))).toMatchObject({
      name: 'Sở A',
      code: 'A.1',
    });
    expect(registry.unitAt('a', new Date('2023-12-31T17:00:00Z'))).toMatchObject({
      name: 'Sở A mới',
      code: 'A.2',
    });
    expect(registry.unit('a')).toMatchObject({ name: 'Sở A mới', validFrom: '2020-01-01' });
    expect(registry.unit('a').versions).toHaveLength(2);
  });

  it('given a split, then history rolls up to the named heir and the parts are recorded', () => {
    const registry = createUnitRegistryFromEvents([
      ...base,
      {
        type: 'established',
        on: '2024-06-01',
        unit: { id: 'c', code: 'C.1', name: 'Sở C', kind: 'department' },
      },
      { type: 'split', on: '2024-06-01', unitId: 'a', intoIds: ['b', 'c'], rollupToId: 'c' },
    ]);
    expect(registry.unit('a')).toMatchObject({
      validTo: '2024-06-01',
      successorId: 'c',
      splitInto: ['b', 'c'],
    });
    expect(registry.rollupTarget('a', 'current')).toBe('c');
  });

  it('given a dissolution without successor, then the unit is its own rollup target', () => {
    const registry = createUnitRegistryFromEvents([
      ...base,
      { type: 'dissolved', on: '2024-06-01', unitId: 'b' },
    ]);
    expect(registry.currentSuccessor('b')).toMatchObject({ id: 'b', validTo: '2024-06-01' });
    expect(registry.unit('b').successorId).toBeUndefined();
  });

  it.each<[string, UnitEventInput[], { field: string; value?: unknown; unitId: string }]>([
    [
      'a merger of a unit that already ended',
      [
        ...base,
        { type: 'dissolved', on: '2024-01-01', unitId: 'a' },
        { type: 'merged', on: '2024-02-01', unitIds: ['a'], intoId: 'b' },
      ],
      { unitId: 'a', field: 'unitIds', value: 'a' },
    ],
    [
      'a merger into an unknown unit',
      [...base, { type: 'merged', on: '2024-02-01', unitIds: ['a'], intoId: 'zz' }],
      { unitId: 'zz', field: 'intoId', value: 'zz' },
    ],
    [
      'an id established twice',
      [
        ...base,
        {
          type: 'established',
          on: '2024-01-01',
          unit: { id: 'a', code: 'A.9', name: 'X', kind: 'department' },
        },
      ],
      { unitId: 'a', field: 'unit.id', value: 'a' },
    ],
    [
      'an unknown parent',
      [
        ...base,
        {
          type: 'established',
          on: '2024-01-01',
          unit: { id: 'c', code: 'C.1', name: 'C', kind: 'department', parentId: 'q' },
        },
      ],
      { unitId: 'c', field: 'unit.parentId', value: 'q' },
    ],
    [
      'events out of date order',
      [...base, { type: 'renamed', on: '2019-01-01', unitId: 'a', name: 'Old' }],
      { unitId: 'a', field: 'on', value: '2019-01-01' },
    ],
    [
      'a split whose heir is not one of the parts',
      [...base, { type: 'split', on: '2024-01-01', unitId: 'a', intoIds: ['b', 'p'], rollupToId: 'x' }],
      { unitId: 'a', field: 'rollupToId', value: 'x' },
    ],
    [
      'a malformed date',
      [...base, { type: 'dissolved', on: '2024-02-30', unitId: 'a' }],
      { unitId: 'a', field: 'on', value: '2024-02-30' },
    ],
  ])('refuses %s with a typed error naming the unit, field and value', (_, events, expected) => {
    const error = caught(() => unitRecordsFromEvents(events));
    expect(UnitInvalid.is(error)).toBe(true);
    expect(UnitInvalid.is(error) && error.details).toMatchObject(expected);
  });

  it('refuses a commune code that is not 5 digits, naming the version field and the code', () => {
    const error = caught(() =>
      createUnitRegistryFromEvents([
        ...base,
        {
          type: 'established',
          on: '2025-07-01',
          unit: { id: 'w', code: '2233', name: 'Phường W', kind: 'commune' },
        },
      ]),
    );
    expect(UnitInvalid.is(error) && error.details).toMatchObject({
      unitId: 'w',
      field: 'versions.0.code',
      value: '2233',
    });
  });

  it('refuses a code reused by another unit of the same level, but allows it at another level', () => {
    const error = caught(() =>
      createUnitRegistryFromEvents([
        ...base,
        {
          type: 'established',
          on: '2024-01-01',
          unit: { id: 'c', code: 'A.1', name: 'Sở C', kind: 'department' },
        },
      ]),
    );
    expect(UnitCodeReused.is(error) && error.details).toMatchObject({
      unitId: 'c',
      code: 'A.1',
      otherUnitId: 'a',
    });
    const mixed = createUnitRegistryFromEvents([
      ...base,
      {
        type: 'established',
        on: '2024-01-01',
        unit: { id: 'c', code: '56', name: 'Trung tâm', kind: 'provincial_centre' },
      },
    ]);
    expect(mixed.unit('c').code).toBe(mixed.unit('p').code);
  });
});

describe('unit records', () => {
  const record = (id: string, extra: Partial<UnitRecord> = {}): UnitRecord => ({
    id,
    kind: 'department',
    validFrom: '2020-01-01',
    versions: [{ from: '2020-01-01', code: id.toUpperCase(), name: id }],
    ...extra,
  });

  it('refuses successor links that loop, naming the path', () => {
    const error = caught(() =>
      createUnitRegistry([
        record('a', { validTo: '2024-01-01', successorId: 'b' }),
        record('b', { validTo: '2024-01-01', successorId: 'a' }),
      ]),
    );
    expect(UnitSuccessorCycle.is(error) && error.details).toEqual({ unitId: 'a', path: ['a', 'b', 'a'] });
  });

  it('refuses a successor that is unknown or not in force on the hand-over day', () => {
    const unknown = caught(() =>
      createUnitRegistry([record('a', { validTo: '2024-01-01', successorId: 'zz' })]),
    );
    expect(UnitInvalid.is(unknown) && unknown.details).toMatchObject({
      unitId: 'a',
      field: 'successorId',
      value: 'zz',
    });
    const late = caught(() =>
      createUnitRegistry([
        record('a', { validTo: '2024-01-01', successorId: 'b' }),
        record('b', { validFrom: '2024-06-01', versions: [{ from: '2024-06-01', code: 'B', name: 'b' }] }),
      ]),
    );
    expect(UnitInvalid.is(late) && late.details).toMatchObject({
      unitId: 'a',
      field: 'successorId',
      value: 'b',
    });
  });

  it('refuses a record whose validTo is not after validFrom, or a successor on a unit still in force', () => {
    const backwards = caught(() => createUnitRegistry([record('a', { validTo: '2019-01-01' })]));
    expect(UnitInvalid.is(backwards) && backwards.details).toMatchObject({
      unitId: 'a',
      field: 'validTo',
      value: '2019-01-01',
    });
    const openEnded = caught(() => createUnitRegistry([record('a', { successorId: 'b' }), record('b')]));
    expect(UnitInvalid.is(openEnded) && openEnded.details).toMatchObject({
      unitId: 'a',
      field: 'successorId',
      value: 'b',
    });
  });

  it('round-trips: records() of a registry build an equal registry', () => {
    const again = createUnitRegistry(structuredClone([...demoCatalog.records()]));
    expect(again.units()).toEqual(demoCatalog.units());
  });
});
