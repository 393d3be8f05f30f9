import { createCatalog } from '../catalog.js';
import { createUnitRegistryFromEvents } from '../unit-events.js';
import { demoProcedures } from './khanh-hoa-procedures.js';
import { demoUnitEvents } from './khanh-hoa-units.js';

export { demoProcedures } from './khanh-hoa-procedures.js';
export { demoUnitEvents, demoUnitIds } from './khanh-hoa-units.js';

/** The demo province's catalogue, validated when this module loads (invalid demo data fails at import). */
export const demoCatalog = createCatalog({
  units: createUnitRegistryFromEvents(demoUnitEvents),
  procedures: demoProcedures,
});
