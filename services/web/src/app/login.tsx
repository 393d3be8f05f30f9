import { useEffect, useState } from 'preact/hooks';
import { request } from './api.js';
import { navigate } from './context.js';
import { useI18n } from './i18n.js';
import { publicText } from './public/messages.js';
import { Identity, type Role, roles, SignInMethod, TokenResponse, type Unit, UnitList } from './schemas.js';
import { session } from './session.js';
import { ErrorNotice, Field, Notice, SelectField, TextField, useAsync, useCommand } from './ui.js';

/** Which units each role signs in for: clerks at a centre's desk; specialists and leaders at a deciding unit. */
function unitsFor(role: Role, units: readonly Unit[]): readonly Unit[] {
  const current = units.filter((u) => u.validTo === null);
  if (role === 'clerk') return current.filter((u) => u.kind.endsWith('centre'));
  if (role === 'specialist' || role === 'leader')
    return current.filter((u) => u.kind === 'department' || u.kind === 'commune');
  return [];
}

/** The access token an identity provider hands back in the URL fragment (`#access_token=…&token_type=Bearer`). */
export function providerRedirect(hash: string): { token?: string; error?: string } | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('access_token');
  const error = params.get('error_description') ?? params.get('error');
  if (token === null && error === null) return undefined;
  return { ...(token === null ? {} : { token }), ...(error === null ? {} : { error }) };
}

/**
 * Sign-in, as the server offers it (`GET /v1/sign-in`): in development a role and unit picker that asks
 * `POST /v1/dev/token`; in production the identity provider's bearer token, handed back in the URL fragment by
 * the provider's redirect or pasted, checked with `GET /v1/me` before it is used.
 */
export function LoginScreen() {
  const { t, lang } = useI18n();
  const method = useAsync(() => request(SignInMethod, '/v1/sign-in'), []);
  return (
    <section class="card narrow" aria-labelledby="login-title">
      {method.data === undefined ? (
        <>
          <h1 id="login-title">{t('signIn')}</h1>
          {method.error ? (
            <ErrorNotice error={method.error} onRetry={method.reload} />
          ) : (
            <p>{t('loading')}</p>
          )}
        </>
      ) : method.data.method === 'dev' ? (
        <DevSignIn />
      ) : (
        <ProviderSignIn signInUrl={method.data.signInUrl} />
      )}
      <p>
        <a href="#/public" data-testid="public-link">
          {publicText(lang)('title')}
        </a>
      </p>
    </section>
  );
}

/**
 * Development sign-in: the server's `POST /v1/dev/token` issues a token for the chosen role and unit. The unit list
 * needs a token itself, so the picker reads it with a throw-away analyst token.
 */
function DevSignIn() {
  const { t } = useI18n();
  const [role, setRole] = useState<Role>('clerk');
  const [unitId, setUnitId] = useState('');
  const [sub, setSub] = useState('');
  const units = useAsync(async () => {
    const { token } = await request(TokenResponse, '/v1/dev/token', {
      method: 'POST',
      body: { role: 'analyst', sub: 'unit-picker' },
    });
    return (await request(UnitList, '/v1/catalog/units', { headers: { authorization: `Bearer ${token}` } }))
      .units;
  }, []);
  const command = useCommand();
  const choices = unitsFor(role, units.data ?? []);
  const chosenUnit = choices.some((u) => u.id === unitId) ? unitId : (choices[0]?.id ?? '');
  const officer = sub.trim() || `${role}-${chosenUnit || 'province'}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = { role, sub: officer, ...(chosenUnit ? { unitId: chosenUnit } : {}) };
    const answer = await command.run(() => request(TokenResponse, '/v1/dev/token', { method: 'POST', body }));
    if (answer === undefined) return;
    session.set({ token: answer.token, role, sub: officer, ...(chosenUnit ? { unitId: chosenUnit } : {}) });
    navigate('#/');
  };

  return (
    <>
      <h1 id="login-title">{t('signInTitle')}</h1>
      <p>{t('signInHint')}</p>
      <ErrorNotice error={units.error} onRetry={units.reload} />
      <form onSubmit={submit} noValidate>
        <SelectField
          name="role"
          label={t('role')}
          value={role}
          onValue={(v) => setRole(roles.find((r) => r === v) ?? 'clerk')}
          options={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          error={command.fields.role}
        />
        {choices.length > 0 && (
          <SelectField
            name="unitId"
            label={t('unit')}
            value={chosenUnit}
            onValue={setUnitId}
            options={choices.map((u) => ({ value: u.id, label: `${u.name} (${u.code})` }))}
            error={command.fields.unitId}
          />
        )}
        <TextField
          name="sub"
          label={t('userId')}
          value={sub}
          placeholder={officer}
          onValue={setSub}
          error={command.fields.sub}
        />
        <ErrorNotice error={Object.keys(command.fields).length > 0 ? undefined : command.error} />
        <button type="submit" disabled={command.busy || units.loading}>
          {t('signIn')}
        </button>
      </form>
    </>
  );
}

function signInAs(token: string, identity: Identity, role: Role): void {
  session.set({
    token,
    role,
    sub: identity.sub,
    ...(identity.unitId === null ? {} : { unitId: identity.unitId }),
  });
  navigate('#/');
}

/**
 * The identity provider's bearer token: from the provider's redirect (the fragment is read once and removed from
 * the address bar and history at once) or pasted. The server says who the token is for; a token with several of
 * the app's roles signs in as the one chosen (the app shows one role's screens at a time).
 */
function ProviderSignIn({ signInUrl }: { signInUrl: string | null }) {
  const { t } = useI18n();
  const [pasted, setPasted] = useState('');
  const [checked, setChecked] = useState<{ token: string; identity: Identity } | undefined>(undefined);
  const [role, setRole] = useState<Role | ''>('');
  const [providerError, setProviderError] = useState<string | undefined>(undefined);
  const command = useCommand();

  const check = async (token: string) => {
    setChecked(undefined);
    const identity = await command.run(() =>
      request(Identity, '/v1/me', { headers: { authorization: `Bearer ${token}` } }),
    );
    if (identity === undefined) return;
    const [only, ...more] = identity.roles;
    if (only !== undefined && more.length === 0) {
      signInAs(token, identity, only);
      return;
    }
    setRole(only ?? '');
    setChecked({ token, identity });
  };

  useEffect(() => {
    const redirect = providerRedirect(location.hash);
    if (redirect === undefined) return;
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    if (redirect.error !== undefined) setProviderError(redirect.error);
    if (redirect.token !== undefined) void check(redirect.token);
  }, []);

  return (
    <>
      <h1 id="login-title">{t('signInProviderTitle')}</h1>
      <p>{t('signInProviderHint')}</p>
      {providerError !== undefined && (
        <div class="notice notice-error" role="alert" data-testid="provider-error">
          {t('providerError', { error: providerError })}
        </div>
      )}
      {signInUrl !== null && (
        <p>
          <a class="button" href={signInUrl} data-testid="provider-link">
            {t('signInWithProvider')}
          </a>
        </p>
      )}
      <ErrorNotice error={command.error} />
      {checked !== undefined && checked.identity.roles.length === 0 && (
        <Notice kind="warn">{t('noAppRole')}</Notice>
      )}
      {checked !== undefined && checked.identity.roles.length > 1 && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (role !== '') signInAs(checked.token, checked.identity, role);
          }}
        >
          <SelectField
            name="provider-role"
            label={t('chooseRole')}
            value={role}
            onValue={(v) => setRole(roles.find((r) => r === v) ?? '')}
            options={checked.identity.roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          />
          <button type="submit">{t('continue')}</button>
        </form>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (pasted.trim()) void check(pasted.trim());
        }}
        noValidate
      >
        <Field name="access-token" label={t('accessToken')} hint={t('accessTokenHint')}>
          {(aria) => (
            <textarea
              {...aria}
              name="access-token"
              rows={3}
              spellcheck={false}
              autoComplete="off"
              value={pasted}
              onInput={(e) => setPasted(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="secondary" disabled={command.busy}>
          {t('useToken')}
        </button>
      </form>
    </>
  );
}
