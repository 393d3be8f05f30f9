import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Unit } from './schemas.js';

/** The unit registry, loaded once per sign-in; screens name units by their registry name. */
export interface Units {
  readonly all: readonly Unit[];
  name(id: string | null | undefined): string;
  byId(id: string): Unit | undefined;
}
export const UnitsContext = createContext<Units>({ all: [], name: (id) => id ?? '—', byId: () => undefined });
export const useUnits = () => useContext(UnitsContext);

/** Screens are addressed by the URL hash (`#/desk/{id}`, `#/case/{id}`), so the server serves one page. */
export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}
