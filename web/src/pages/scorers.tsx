// Scorers: configure one from the catalog, test it on sample text (no orchestrator, nothing
// stored), and save it under a name for orchestrators to use.
import { useState } from 'preact/hooks';
import { all, api, pathOf, type CatalogItem, type ScorerTest, type Schemas } from '../api/client';
import { Button, Empty, ErrorNote, Field, Loading, PageTitle, Time, useAction, useAsync } from '../ui/kit';
import { SchemaForm, type JsonSchema, type Params } from '../ui/schema_form';
import { setQuery, useLocation } from '../router';

type ScorerConfig = Schemas['ScorerConfig'];

export function scorerBody(type: string, params: Params) {
  return Object.keys(params).length ? { type, params } : { type };
}

export function ScorersPage() {
  const loc = useLocation();
  const catalog = useAsync(() => all<CatalogItem>('/api/v1/scorers'), []);
  const saved = useAsync(() => all<ScorerConfig>('/api/v1/scorer-configs'), []);
  const type = loc.query.get('type') ?? 'refusal';
  const [params, setParams] = useState<Params>({});
  const [text, setText] = useState("I'm sorry, but I can't help with that.");
  const [objective, setObjective] = useState('');
  const [name, setName] = useState('');
  const [result, setResult] = useState<ScorerTest>();
  const item = catalog.data?.find((c) => c.type === type);
  const test = useAction(async () => {
    setResult(undefined);
    setResult(await api<ScorerTest>('POST', '/api/v1/scorers/test', { scorer: scorerBody(type, params), text, ...(objective ? { objective } : {}) }));
  });
  const save = useAction(async () => {
    await api('POST', '/api/v1/scorer-configs', { name, scorer: scorerBody(type, params) });
    setName('');
    saved.reload();
  });
  const remove = useAction(async (id: string) => {
    await api('DELETE', pathOf('/api/v1/scorer-configs/{id}', { id }));
    saved.reload();
  });
  return (
    <section>
      <PageTitle>Scorers</PageTitle>
      <p class="lead">Judge replies: rule-based detectors, LLM judges and combinators. Try one on sample text before a run uses it.</p>
      <ErrorNote error={catalog.error ?? saved.error} />
      {catalog.loading && <Loading what="the scorer catalog" />}
      <div class="two-columns">
        <form class="card" aria-label="Configure a scorer" onSubmit={(e) => { e.preventDefault(); void test.act(); }}>
          <Field label="Scorer" id="scorer-type" hint={item?.description}>
            <select id="scorer-type" value={type} onChange={(e) => { setParams({}); setResult(undefined); setQuery({ type: (e.target as HTMLSelectElement).value }); }}>
              {(catalog.data ?? []).map((c) => (
                <option value={c.type}>{c.type}</option>
              ))}
            </select>
          </Field>
          {item && <SchemaForm idPrefix="scorer" schema={item.params as JsonSchema} value={params} onChange={setParams} error={test.error ?? save.error} pointer="/scorer/params" />}
          <Field label="Sample reply" id="scorer-text" error={test.error} pointer="/text">
            <textarea id="scorer-text" rows={4} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          </Field>
          <Field label="Objective (optional)" id="scorer-objective" error={test.error} pointer="/objective">
            <input id="scorer-objective" value={objective} onInput={(e) => setObjective((e.target as HTMLInputElement).value)} />
          </Field>
          <ErrorNote error={test.error} fields={['/text', '/objective', '/scorer/params']} />
          <div class="actions">
            <button type="submit" disabled={test.busy}>{test.busy ? 'Scoring…' : 'Test'}</button>
          </div>
          <div class="save-row">
            <Field label="Save as" id="scorer-name" error={save.error} pointer="/name">
              <input id="scorer-name" value={name} maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            </Field>
            <Button busy={save.busy} disabled={!name} onClick={() => void save.act()}>Save scorer</Button>
          </div>
          <ErrorNote error={save.error} fields={['/name', '/scorer/params']} />
        </form>
        <div class="card" aria-live="polite">
          <h2>Result</h2>
          {!result && <p class="hint">Press Test to score the sample reply.</p>}
          {result?.scores.map((s) => (
            <div class={'score ' + (s.value === 'true' ? 'hit' : s.value === 'undetermined' ? 'undetermined' : '')} data-testid="score-result">
              <strong>{s.scorer_type}</strong>: <span class="value">{s.value}</span> <span class="tag">{s.score_type}</span>
              {s.rationale && <p>{s.rationale}</p>}
            </div>
          ))}
        </div>
      </div>
      <h2>Saved scorers</h2>
      {saved.data && saved.data.length === 0 && <Empty>No saved scorers yet. Configure one above, test it, then save it under a name.</Empty>}
      <ErrorNote error={remove.error} />
      <ul class="rows">
        {saved.data?.map((c) => (
          <li class="row-card" aria-label={`Scorer ${c.name}`}>
            <div class="row-head">
              <div>
                <strong>{c.name}</strong> <code class="small">{JSON.stringify(c.scorer)}</code>
                <div class="muted small">saved <Time at={c.created_at} /></div>
              </div>
              <Button class="danger" onClick={() => void remove.act(c.id)}>Delete</Button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
