import { useState } from 'preact/hooks';
import { request } from './api.js';
import { navigate } from './context.js';
import { useI18n } from './i18n.js';
import { publicText } from './public/messages.js';
import { type Role, roles, TokenResponse, type Unit, UnitList } from './schemas.js';
import { session } from './session.js';
import { ErrorNotice, SelectField, TextField, useAsync, useCommand } from './ui.js';

/** Which units each role signs in for: clerks at a centre's desk; specialists and leaders at a deciding unit. */
function unitsFor(role: Role, units: readonly Unit[]): readonly Unit[] {
  const current = units.filter((u) => u.validTo === null);
  if (role === 'clerk') return current.filter((u) => u.kind.endsWith('centre'));
  if (role === 'specialist' || role === 'leader')
    return current.filter((u) => u.kind === 'department' || u.kind === 'commune');
  return [];
}

/**
 * Development sign-in: the server's `POST /v1/dev/token` issues a token for the chosen role and unit. The unit list
 * needs a token itself, so the picker reads it with a throw-away analyst token (dev mode only; production signs in
 * with the identity provider's bearer token).
 */
export function LoginScreen() {
  const { t, lang } = useI18n();
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
    <section class="card narrow" aria-labelledby="login-title">
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
      <p>
        <a href="#/public" data-testid="public-link">
          {publicText(lang)('title')}
        </a>
      </p>
    </section>
  );
}
