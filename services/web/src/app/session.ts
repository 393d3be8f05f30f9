import { z } from 'zod';
import { roles } from './schemas.js';

/** Who is signed in: the token (kept for this tab only, in sessionStorage) and what it was issued for. */
export const Session = z.object({
  token: z.string(),
  role: z.enum(roles),
  unitId: z.string().optional(),
  sub: z.string(),
});
export type Session = z.infer<typeof Session>;

const KEY = 'onestop.session';
type Listener = () => void;
const listeners = new Set<Listener>();

function read(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw === null) return undefined;
    const parsed = Session.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const session = {
  get: read,
  set(value: Session): void {
    sessionStorage.setItem(KEY, JSON.stringify(value));
    for (const listener of listeners) listener();
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
    for (const listener of listeners) listener();
  },
  /** A 401: the token expired or the server's secret changed; back to the login screen. */
  expire(): void {
    if (read() !== undefined) session.clear();
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** What each role may open; the server enforces the same, the UI just does not offer the rest. */
export const can = {
  desk: (role: string) => role === 'clerk' || role === 'admin',
  cases: (role: string) => role === 'specialist' || role === 'leader' || role === 'admin',
  caseCommands: (role: string) => role === 'specialist' || role === 'leader' || role === 'admin',
  leaderCommands: (role: string) => role === 'leader' || role === 'admin',
  dashboard: (role: string) => role === 'analyst' || role === 'admin' || role === 'leader',
  timeline: (role: string) => role !== 'clerk',
};
