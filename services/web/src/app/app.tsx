import type { JSX } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { request } from './api.js';
import { CaseScreen, CasesScreen } from './cases/cases.js';
import { navigate, type Units, UnitsContext } from './context.js';
import { DeskScreen } from './desk/desk.js';
import { I18nContext, type Lang, type MessageKey, translator, useI18n } from './i18n.js';
import { LoginScreen, providerRedirect } from './login.js';
import { PublicScreen } from './public/public.js';
import { UnitList } from './schemas.js';
import { can, type Session, session } from './session.js';
import { ErrorNotice, useAsync } from './ui.js';

// The dashboard brings the chart library: loaded only when an analyst opens it (outside the initial bundle).
const DashboardScreen = lazy(() =>
  import('./dashboard/dashboard.js').then((m) => ({ default: m.DashboardScreen })),
);
// The feedback inbox is opened by officers only: loaded when opened.
const FeedbackInbox = lazy(() => import('./feedback/inbox.js').then((m) => ({ default: m.FeedbackInbox })));

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function useSession(): Session | undefined {
  const [current, setCurrent] = useState(session.get());
  useEffect(() => session.subscribe(() => setCurrent(session.get())), []);
  return current;
}

const LANG_KEY = 'onestop.lang';

export function App() {
  const [lang, setLangState] = useState<Lang>(localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi');
  const i18n = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang: (next: Lang) => {
        localStorage.setItem(LANG_KEY, next);
        setLangState(next);
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('appTitle');
  }, [lang, i18n]);
  return (
    <I18nContext.Provider value={i18n}>
      <Shell />
    </I18nContext.Provider>
  );
}

function defaultRoute(role: string): string {
  if (can.desk(role)) return '#/desk';
  if (can.cases(role)) return '#/cases';
  return '#/dashboard';
}

function Shell() {
  const { t, lang, setLang } = useI18n();
  const user = useSession();
  const hash = useHash();
  const units = useAsync(
    async () => (user === undefined ? [] : (await request(UnitList, '/v1/catalog/units')).units),
    [user?.token],
  );
  const unitsValue = useMemo<Units>(() => {
    const all = units.data ?? [];
    const map = new Map(all.map((u) => [u.id, u]));
    return { all, name: (id) => (id ? (map.get(id)?.name ?? id) : '—'), byId: (id) => map.get(id) };
  }, [units.data]);

  // The public page needs no sign-in: from the receipt's QR code (`/tracking?…`) or the sign-in screen.
  const publicPage = location.pathname === '/tracking' || hash.startsWith('#/public');
  let screen: JSX.Element;
  if (publicPage) {
    screen = <PublicScreen />;
  } else if (user === undefined || providerRedirect(hash) !== undefined) {
    // Signed out, or back from the identity provider (its token replaces whoever was signed in); a new redirect
    // into an open tab mounts the screen anew, so it reads the new token.
    screen = <LoginScreen key={providerRedirect(hash) === undefined ? 'sign-in' : hash} />;
  } else if (units.data === undefined) {
    screen = units.error ? <ErrorNotice error={units.error} onRetry={units.reload} /> : <p>{t('loading')}</p>;
  } else {
    screen = route(hash, user, t);
  }
  const nav: { hash: string; label: MessageKey; show: boolean }[] = user
    ? [
        { hash: '#/desk', label: 'navDesk', show: can.desk(user.role) },
        { hash: '#/cases', label: 'navCases', show: can.cases(user.role) },
        { hash: '#/feedback', label: 'navFeedback', show: can.cases(user.role) },
        { hash: '#/dashboard', label: 'navDashboard', show: can.dashboard(user.role) },
      ]
    : [];
  return (
    <UnitsContext.Provider value={unitsValue}>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        {t('skipToContent')}
      </button>
      <header class="topbar">
        <strong class="brand">{t('appTitle')}</strong>
        <nav aria-label="main">
          {nav
            .filter((n) => n.show)
            .map((n) => (
              <a key={n.hash} href={n.hash} aria-current={hash.startsWith(n.hash) ? 'page' : undefined}>
                {t(n.label)}
              </a>
            ))}
        </nav>
        <div class="user">
          {user && (
            <span data-testid="who">
              {t(`role.${user.role}`)} · {user.sub}
              {user.unitId ? ` · ${unitsValue.name(user.unitId)}` : ''}
            </span>
          )}
          <button
            type="button"
            class="secondary"
            lang={lang === 'vi' ? 'en' : 'vi'}
            onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}
          >
            {t('switchLanguage')}
          </button>
          {user && (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                session.clear();
                navigate('#/');
              }}
            >
              {t('signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </UnitsContext.Provider>
  );
}

function route(hash: string, user: Session, t: ReturnType<typeof translator>): JSX.Element {
  const [, section = '', id] = hash.replace(/^#/, '').split('/');
  const denied = <p class="notice notice-error">{t('notAllowed')}</p>;
  switch (section) {
    case 'desk':
      return can.desk(user.role) ? <DeskScreen user={user} dossierId={id} /> : denied;
    case 'cases':
      return can.cases(user.role) ? <CasesScreen user={user} /> : denied;
    case 'case':
      return id && can.timeline(user.role) ? <CaseScreen user={user} dossierId={id} /> : denied;
    case 'feedback':
      return can.cases(user.role) ? (
        <Suspense fallback={<p>{t('loading')}</p>}>
          <FeedbackInbox user={user} feedbackId={id} />
        </Suspense>
      ) : (
        denied
      );
    case 'dashboard':
      return can.dashboard(user.role) ? (
        <Suspense fallback={<p>{t('loading')}</p>}>
          <DashboardScreen user={user} />
        </Suspense>
      ) : (
        denied
      );
    default:
      navigate(defaultRoute(user.role));
      return <p>{t('loading')}</p>;
  }
}
