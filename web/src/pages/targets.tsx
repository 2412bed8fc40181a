// Targets: the LLM endpoints under attack (and helper LLMs). Create, edit, delete, and a
// test connection that shows the latency and the reply or the error.
import { useState } from 'preact/hooks';
import { all, api, pathOf, type Target, type TargetProbe, type TargetType } from '../api/client';
import { Button, Empty, ErrorNote, Field, Loading, PageTitle, Time, useAction, useAsync } from '../ui/kit';

// How each member is typed in the form; the rest are text.
const NUMBERS = new Set(['latency_ms', 'seed', 'comply_probability', 'temperature', 'max_tokens']);
const JSONS = new Set(['limits', 'extra_body', 'headers', 'script', 'body_template']);
const LONG = new Set(['system_prompt', 'refuse_pattern']);

type Draft = Record<string, string>;

export function draftOf(t: Target | undefined): Draft {
  const d: Draft = { name: t?.name ?? '', type: t?.type ?? 'openai_chat' };
  if (!t) return d;
  for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
    if (['id', 'name', 'type', 'created_at', 'updated_at', 'has_api_key'].includes(k) || v === null || v === undefined) continue;
    d[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return d;
}

// The request body: numbers and JSON members parsed (text that does not parse goes as
// text, so the server names the member); empty members left out.
export function bodyOf(d: Draft, members: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { name: d.name, type: d.type };
  for (const m of members) {
    if (m === 'name' || m === 'type') continue;
    const raw = d[m];
    if (raw === undefined || raw === '') continue;
    if (NUMBERS.has(m) && raw.trim() !== '' && !Number.isNaN(Number(raw))) out[m] = Number(raw);
    else if (JSONS.has(m)) {
      try {
        out[m] = JSON.parse(raw);
      } catch {
        out[m] = raw;
      }
    } else out[m] = raw;
  }
  return out;
}

function TargetForm(props: { types: TargetType[]; editing?: Target; onSaved: () => void; onCancel?: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.editing));
  const type = props.types.find((t) => t.type === draft.type);
  const members = type?.members ?? ['name', 'type'];
  const save = useAction(async () => {
    const body = bodyOf(draft, members);
    if (props.editing) {
      // A PATCH: only what changed; an emptied member is removed (null).
      const before = bodyOf(draftOf(props.editing), members);
      const patch: Record<string, unknown> = {};
      for (const m of members) {
        if (m === 'api_key') continue;
        if (JSON.stringify(before[m]) !== JSON.stringify(body[m])) patch[m] = body[m] === undefined ? null : body[m];
      }
      if (body.api_key !== undefined) patch.api_key = body.api_key;
      await api('PATCH', pathOf('/api/v1/targets/{id}', { id: props.editing.id }), patch);
    } else {
      await api('POST', '/api/v1/targets', body);
      setDraft(draftOf(undefined));
    }
    props.onSaved();
  });
  const prefix = props.editing ? `edit-${props.editing.id}` : 'new-target';
  const set = (k: string) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  return (
    <form class="card" aria-label={props.editing ? `Edit ${props.editing.name}` : 'New target'} onSubmit={(e) => { e.preventDefault(); void save.act(); }}>
      <h2>{props.editing ? `Edit ${props.editing.name}` : 'New target'}</h2>
      <Field label="Name" id={`${prefix}-name`} error={save.error} pointer="/name">
        <input id={`${prefix}-name`} value={draft.name} onInput={set('name')} required maxLength={200} />
      </Field>
      <Field label="Type" id={`${prefix}-type`} error={save.error} pointer="/type" hint={type?.description}>
        <select id={`${prefix}-type`} value={draft.type} onChange={set('type')} disabled={!!props.editing}>
          {props.types.map((t) => (
            <option value={t.type}>{t.type}</option>
          ))}
        </select>
      </Field>
      {members
        .filter((m) => m !== 'name' && m !== 'type')
        .map((m) => {
          const id = `${prefix}-${m}`;
          const hint = m === 'api_key' && props.editing?.has_api_key ? 'a key is stored; leave empty to keep it' : JSONS.has(m) ? 'JSON' : undefined;
          return (
            <Field label={m} id={id} error={save.error} pointer={`/${m}`} hint={hint}>
              {JSONS.has(m) || LONG.has(m) ? (
                <textarea id={id} rows={2} value={draft[m] ?? ''} onInput={set(m)} />
              ) : (
                <input id={id} type={m === 'api_key' ? 'password' : NUMBERS.has(m) ? 'number' : 'text'} step="any" autocomplete="off" value={draft[m] ?? ''} onInput={set(m)} />
              )}
            </Field>
          );
        })}
      <ErrorNote error={save.error} fields={members.map((m) => `/${m}`)} />
      <div class="actions">
        <button type="submit" disabled={save.busy}>{save.busy ? 'Saving…' : props.editing ? 'Save' : 'Create target'}</button>
        {props.onCancel && <Button onClick={props.onCancel}>Cancel</Button>}
      </div>
    </form>
  );
}

function ProbeResult(props: { probe: TargetProbe }) {
  const p = props.probe;
  return (
    <div class={'probe ' + (p.ok ? 'ok' : 'bad')} role="status">
      <strong>{p.ok ? 'Connected' : 'Failed'}</strong> in {p.latency_ms.toFixed(0)} ms
      {p.reply !== null && p.reply !== undefined && <pre class="reply">{p.reply}</pre>}
      {p.error && <p class="error">{p.error}</p>}
    </div>
  );
}

function TargetRow(props: { target: Target; types: TargetType[]; onChanged: () => void }) {
  const t = props.target;
  const [editing, setEditing] = useState(false);
  const [probe, setProbe] = useState<TargetProbe>();
  const test = useAction(async () => setProbe(await api<TargetProbe>('POST', pathOf('/api/v1/targets/{id}/test', { id: t.id }), {})));
  const remove = useAction(async () => {
    await api('DELETE', pathOf('/api/v1/targets/{id}', { id: t.id }));
    props.onChanged();
  });
  const where = (t as Record<string, unknown>).endpoint ?? (t as Record<string, unknown>).behavior ?? '';
  return (
    <li class="row-card" aria-label={`Target ${t.name}`}>
      <div class="row-head">
        <div>
          <strong>{t.name}</strong> <span class="tag">{t.type}</span> <span class="muted">{String(where)}</span>
          <div class="muted small">
            created <Time at={t.created_at} /> · id <code>{t.id}</code>
          </div>
        </div>
        <div class="actions">
          <Button onClick={() => void test.act()} busy={test.busy}>Test connection</Button>
          <Button onClick={() => setEditing(!editing)} aria-expanded={editing}>Edit</Button>
          <Button class="danger" busy={remove.busy} onClick={() => { if (window.confirm(`Delete target ${t.name}?`)) void remove.act(); }}>Delete</Button>
        </div>
      </div>
      {probe && <ProbeResult probe={probe} />}
      <ErrorNote error={test.error ?? remove.error} />
      {editing && <TargetForm types={props.types} editing={t} onSaved={() => { setEditing(false); props.onChanged(); }} onCancel={() => setEditing(false)} />}
    </li>
  );
}

export function TargetsPage() {
  const types = useAsync(() => all<TargetType>('/api/v1/target-types'), []);
  const targets = useAsync(() => all<Target>('/api/v1/targets'), []);
  return (
    <section>
      <PageTitle>Targets</PageTitle>
      <p class="lead">The endpoints you attack, and the helper LLMs that attack, convert and judge.</p>
      <ErrorNote error={types.error ?? targets.error} />
      {targets.loading && !targets.data && <Loading what="targets" />}
      {targets.data && targets.data.length === 0 && (
        <Empty>No targets yet. Create one below: an OpenAI-compatible endpoint, an HTTP API, or a built-in mock to try things out.</Empty>
      )}
      {targets.data && targets.data.length > 0 && types.data && (
        <ul class="rows">
          {targets.data.map((t) => (
            <TargetRow key={t.id} target={t} types={types.data!} onChanged={targets.reload} />
          ))}
        </ul>
      )}
      {types.data && <TargetForm types={types.data} onSaved={targets.reload} />}
    </section>
  );
}
