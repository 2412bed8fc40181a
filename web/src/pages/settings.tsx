// Settings: who the server takes me for, my API keys (the secret shown once), and for
// admins the store, the engine's figures, the users and the audit log.
import { useState } from 'preact/hooks';
import { all, api, get, pathOf, type ApiKey, type AuditEvent, type Identity, type Page, type SystemInfo, type User } from '../api/client';
import { Button, Empty, ErrorNote, Field, Loading, PageTitle, Time, useAction, useAsync } from '../ui/kit';

function ApiKeys() {
  const keys = useAsync(() => all<ApiKey>('/api/v1/api-keys'), []);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string>();
  const create = useAction(async () => {
    const k = await api<ApiKey>('POST', '/api/v1/api-keys', { name });
    setSecret(k.secret);
    setName('');
    keys.reload();
  });
  const revoke = useAction(async (id: string) => {
    await api('DELETE', pathOf('/api/v1/api-keys/{id}', { id }));
    keys.reload();
  });
  return (
    <section class="card" aria-label="API keys">
      <h2>My API keys</h2>
      <p class="hint">For the CLI and CI: send it as <code>X-API-Key</code>. The secret is shown once, when the key is made.</p>
      <form class="save-row" aria-label="New API key" onSubmit={(e) => { e.preventDefault(); void create.act(); }}>
        <Field label="Key name" id="key-name" error={create.error} pointer="/name">
          <input id="key-name" value={name} maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" disabled={create.busy || !name}>Create key</button>
      </form>
      <ErrorNote error={create.error} fields={['/name']} />
      {secret && (
        <div class="secret" role="status">
          <p>Copy this key now; it will not be shown again:</p>
          <code data-testid="api-key-secret">{secret}</code>{' '}
          <Button onClick={() => void navigator.clipboard?.writeText(secret)}>Copy</Button>
          <Button onClick={() => setSecret(undefined)}>Done</Button>
        </div>
      )}
      {keys.loading && !keys.data && <Loading what="keys" />}
      <ErrorNote error={keys.error ?? revoke.error} />
      {keys.data && keys.data.length === 0 && <Empty>No API keys. Create one to run scans from CI.</Empty>}
      {keys.data && keys.data.length > 0 && (
        <table>
          <thead><tr><th>Name</th><th>Prefix</th><th>Created</th><th>Last used</th><th>Revoked</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {keys.data.map((k) => (
              <tr>
                <td>{k.name}</td><td><code>{k.prefix}</code></td><td><Time at={k.created_at} /></td><td><Time at={k.last_used_at} /></td><td><Time at={k.revoked_at} /></td>
                <td>{!k.revoked_at && <Button class="danger" aria-label={`Revoke ${k.name}`} onClick={() => void revoke.act(k.id)}>Revoke</Button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Admin() {
  const system = useAsync(() => get<SystemInfo>('/api/v1/system'), []);
  const users = useAsync(() => get<Page<User>>(pathOf('/api/v1/users', {}, { limit: 50 })), []);
  const audit = useAsync(() => get<Page<AuditEvent>>(pathOf('/api/v1/audit', {}, { limit: 50 })), []);
  const s = system.data;
  return (
    <>
      <section class="card" aria-label="Server">
        <h2>Server</h2>
        <ErrorNote error={system.error} />
        {s && (
          <dl class="figures">
            <div><dt>Version</dt><dd>{s.version}</dd></div>
            <div><dt>Sign-in</dt><dd>{s.auth}</dd></div>
            <div><dt>Store</dt><dd><code data-testid="store-url">{s.store.url}</code></dd></div>
            <div><dt>Schema version</dt><dd>{s.store.schema_version}</dd></div>
            <div><dt>Writer queue</dt><dd>{JSON.stringify(s.store.writer_queue)}</dd></div>
            <div><dt>Connections</dt><dd>{JSON.stringify(s.store.connections)}</dd></div>
            {'wal' in s.store && <div><dt>WAL</dt><dd>{JSON.stringify((s.store as Record<string, unknown>).wal)}</dd></div>}
            {s.engine && <div><dt>Orchestrator pool</dt><dd>{JSON.stringify(s.engine.orchestrator_pool)}</dd></div>}
            <div><dt>Started</dt><dd><Time at={s.started_at} /></dd></div>
          </dl>
        )}
      </section>
      <section class="card" aria-label="Users">
        <h2>Users</h2>
        <ErrorNote error={users.error} />
        <table>
          <thead><tr><th>Username</th><th>Issuer</th><th>Subject</th><th>Roles</th><th>Since</th></tr></thead>
          <tbody>
            {users.data?.items.map((u) => (
              <tr><td>{u.username}</td><td>{u.issuer}</td><td><code>{u.subject}</code></td><td>{u.roles.join(', ')}</td><td><Time at={u.created_at} /></td></tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card" aria-label="Audit log">
        <h2>Audit log</h2>
        <ErrorNote error={audit.error} />
        <table>
          <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Object</th></tr></thead>
          <tbody>
            {audit.data?.items.map((a) => (
              <tr><td><Time at={a.created_at} /></td><td><code>{a.actor}</code></td><td>{a.action}</td><td>{a.object_type} <code>{a.object_id}</code></td></tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

export function SettingsPage() {
  const me = useAsync(() => get<Identity>('/api/v1/me'), []);
  return (
    <section>
      <PageTitle>Settings</PageTitle>
      <ErrorNote error={me.error} />
      {me.loading && !me.data && <Loading what="who you are" />}
      {me.data && (
        <section class="card" aria-label="Who I am">
          <h2>Who I am</h2>
          <dl class="figures">
            <div><dt>Username</dt><dd data-testid="me-username">{me.data.username}</dd></div>
            <div><dt>Display name</dt><dd>{me.data.display_name}</dd></div>
            <div><dt>Issuer</dt><dd>{me.data.issuer}</dd></div>
            <div><dt>Subject</dt><dd><code>{me.data.subject}</code></dd></div>
            <div><dt>User id</dt><dd><code>{me.data.id}</code></dd></div>
            <div><dt>Roles</dt><dd>{me.data.roles.join(', ') || 'none'}</dd></div>
          </dl>
        </section>
      )}
      <ApiKeys />
      {me.data?.roles.includes('admin') && <Admin />}
    </section>
  );
}
