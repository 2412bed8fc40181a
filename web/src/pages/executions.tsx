// Executions: the attack history with filters, and a new attack: a strategy (single prompts,
// or a multi-turn attacker LLM: red teaming, crescendo) + target + dataset + converter chains +
// scorers (one marked as the objective) + budget, counted by a dry run before it runs.
import { useState } from 'preact/hooks';
import { all, api, get, pathOf, type ApiError, type CatalogItem, type Dataset, type Execution, type ExecutionStart, type Orchestrator, type Page, type Target } from '../api/client';
import { ChainEditor, chainBody, type ChainStep } from '../ui/chain';
import { SchemaForm, type JsonSchema } from '../ui/schema_form';
import { Button, Pager, Empty, ErrorNote, Field, Link, Loading, PageTitle, Time, percent, useAction, useAsync } from '../ui/kit';
import { navigate, setQuery, useLocation } from '../router';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'incomplete'];
const STRATEGIES: [string, string][] = [
  ['prompt_sending', 'Send each prompt (single turn)'],
  ['red_teaming', 'Red teaming: an attacker LLM talks to the target'],
  ['crescendo', 'Crescendo: an attacker LLM escalates step by step, refusals taken back'],
  ['tree_of_attacks', 'Tree of attacks: an attacker LLM grows branches, the weak ones pruned'],
];

// One scorer beside the objective ones (crescendo's refusal check, the tree's ranking): its
// type from the catalog ('' for the server's default) and its params from the JSON Schema.
function SideScorer(props: {
  id: string; label: string; hint: string; pointer: string; catalog: CatalogItem[];
  value: ChainStep | undefined; onChange: (s: ChainStep | undefined) => void; error?: ApiError; none: string;
}) {
  const item = props.value && props.catalog.find((c) => c.type === props.value!.type);
  return (
    <div class="side-scorer">
      <Field label={props.label} id={props.id} error={props.error} pointer={props.pointer} hint={props.hint}>
        <select id={props.id} value={props.value?.type ?? ''} onChange={(e) => {
          const type = (e.target as HTMLSelectElement).value;
          props.onChange(type ? { type, params: {} } : undefined);
        }}>
          <option value="">{props.none}</option>
          {props.catalog.map((c) => <option value={c.type}>{c.type}</option>)}
        </select>
      </Field>
      {item && props.value && (
        <SchemaForm idPrefix={props.id} schema={item.params as JsonSchema} value={props.value.params}
          onChange={(p) => props.onChange({ ...props.value!, params: p })} error={props.error} pointer={`${props.pointer}/params`} />
      )}
    </div>
  );
}

// tree_of_attacks' members, as given (an empty field: the server's default).
function treeBody(tree: Record<string, string>, onTopic: boolean): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = { on_topic_check: onTopic };
  for (const [k, v] of Object.entries(tree)) if (v !== '') out[k] = Number(v);
  return out;
}

function NewExecution(props: { onStarted: (e: Execution) => void }) {
  const targets = useAsync(() => all<Target>('/api/v1/targets'), []);
  const datasets = useAsync(() => all<Dataset>('/api/v1/datasets'), []);
  const converters = useAsync(() => all<CatalogItem>('/api/v1/converters'), []);
  const scorerCatalog = useAsync(() => all<CatalogItem>('/api/v1/scorers'), []);
  const [name, setName] = useState('');
  const [type, setType] = useState('prompt_sending');
  const [attackerId, setAttackerId] = useState('');
  const [maxTurns, setMaxTurns] = useState('');
  const [maxBacktracks, setMaxBacktracks] = useState('');
  const [tree, setTree] = useState({ width: '', depth: '', branching_factor: '' });
  const [onTopic, setOnTopic] = useState(true);
  const [refusalScorer, setRefusalScorer] = useState<ChainStep>();
  const [rankScorer, setRankScorer] = useState<ChainStep>();
  const [targetId, setTargetId] = useState('');
  const [datasetId, setDatasetId] = useState('');
  const [chains, setChains] = useState<ChainStep[][]>([[]]);
  const [scorers, setScorers] = useState<ChainStep[]>([{ type: 'inverter', params: { scorer: { type: 'refusal' } } }]);
  const [objective, setObjective] = useState(0);
  const [maxRequests, setMaxRequests] = useState('');
  const [maxErrorShare, setMaxErrorShare] = useState('');
  const [labels, setLabels] = useState('');
  const [dry, setDry] = useState<{ work_items: number; estimated_prompt_tokens: number }>();

  const body = () => {
    const budget: Record<string, number> = {};
    if (maxRequests !== '') budget.max_requests = Number(maxRequests);
    if (maxErrorShare !== '') budget.max_error_share = Number(maxErrorShare);
    const labelObj: Record<string, string> = {};
    for (const pair of labels.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [k, ...v] = pair.split('=');
      labelObj[k.trim()] = v.join('=').trim();
    }
    const multiTurn = type !== 'prompt_sending';
    return {
      name: name || 'attack',
      type,
      ...(multiTurn ? { adversarial_target_id: attackerId || (targets.data?.[0]?.id ?? '') } : {}),
      ...(multiTurn && type !== 'tree_of_attacks' && maxTurns !== '' ? { max_turns: Number(maxTurns) } : {}),
      ...(type === 'crescendo' && maxBacktracks !== '' ? { max_backtracks: Number(maxBacktracks) } : {}),
      ...(type === 'crescendo' && refusalScorer ? { refusal_scorer: chainBody([refusalScorer])[0] } : {}),
      ...(type === 'tree_of_attacks' ? treeBody(tree, onTopic) : {}),
      ...(type === 'tree_of_attacks' && rankScorer ? { rank_scorer: chainBody([rankScorer])[0] } : {}),
      target_id: targetId || (targets.data?.[0]?.id ?? ''),
      dataset_id: datasetId || (datasets.data?.[0]?.id ?? ''),
      converter_chains: chains.map(chainBody),
      scorers: chainBody(scorers),
      ...(scorers.length ? { objective_scorer: Math.min(objective, scorers.length - 1) } : {}),
      ...(Object.keys(budget).length ? { budget } : {}),
      ...(Object.keys(labelObj).length ? { labels: labelObj } : {}),
    };
  };
  // Creating the same orchestrator twice returns the one already stored.
  const orchestrator = async () => api<Orchestrator>('POST', '/api/v1/orchestrators', body());
  // One error shows at a time: the last action's (a dry run's error must not outlive a run).
  const dryRun = useAction(async () => {
    run.setError(undefined);
    const o = await orchestrator();
    const r = await api<ExecutionStart>('POST', pathOf('/api/v1/orchestrators/{id}/executions', { id: o.id }), { dry_run: true });
    if ('dry_run' in r) setDry({ work_items: r.work_items, estimated_prompt_tokens: r.estimated_prompt_tokens });
  });
  const run = useAction(async () => {
    dryRun.setError(undefined);
    const o = await orchestrator();
    const r = await api<ExecutionStart>('POST', pathOf('/api/v1/orchestrators/{id}/executions', { id: o.id }), {});
    if (!('dry_run' in r)) props.onStarted(r as Execution);
  });
  const error = dryRun.error ?? run.error;
  const fields = ['/name', '/type', '/adversarial_target_id', '/max_turns', '/max_backtracks', '/width', '/depth', '/branching_factor', '/on_topic_check', '/refusal_scorer', '/rank_scorer', '/target_id', '/dataset_id', '/converter_chains', '/scorers', '/objective_scorer', '/budget', '/labels'];
  if (targets.data?.length === 0)
    return <Empty>You need a target to attack first: <Link href="/targets">create a target</Link>.</Empty>;
  if (datasets.data?.length === 0)
    return <Empty>You need prompts to send: <Link href="/datasets">create a dataset</Link>.</Empty>;
  return (
    <form class="card" aria-label="New attack" onSubmit={(e) => { e.preventDefault(); void run.act(); }}>
      <h2>New attack</h2>
      <div class="grid">
        <Field label="Name" id="ex-name" error={error} pointer="/name">
          <input id="ex-name" value={name} placeholder="attack" maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Strategy" id="ex-type" error={error} pointer="/type">
          <select id="ex-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            {STRATEGIES.map(([value, label]) => <option value={value}>{label}</option>)}
          </select>
        </Field>
        <Field label="Target" id="ex-target" error={error} pointer="/target_id">
          <select id="ex-target" value={targetId} onChange={(e) => setTargetId((e.target as HTMLSelectElement).value)}>
            {targets.data?.map((t) => <option value={t.id}>{t.name} ({t.type})</option>)}
          </select>
        </Field>
        <Field label="Dataset" id="ex-dataset" error={error} pointer="/dataset_id">
          <select id="ex-dataset" value={datasetId} onChange={(e) => setDatasetId((e.target as HTMLSelectElement).value)}>
            {datasets.data?.map((d) => <option value={d.id}>{d.name} (v{d.version}, {d.count} prompts)</option>)}
          </select>
        </Field>
      </div>
      {type !== 'prompt_sending' && (
        <div role="group" aria-label="Multi-turn attack">
          <div class="grid">
            <Field label="Attacker LLM (one of your targets)" id="ex-attacker" error={error} pointer="/adversarial_target_id">
              <select id="ex-attacker" value={attackerId} onChange={(e) => setAttackerId((e.target as HTMLSelectElement).value)}>
                {targets.data?.map((t) => <option value={t.id}>{t.name} ({t.type})</option>)}
              </select>
            </Field>
            {type !== 'tree_of_attacks' && (
              <Field label="Max turns per objective (1-50)" id="ex-max-turns" error={error} pointer="/max_turns">
                <input id="ex-max-turns" type="number" min={1} max={50} placeholder="10" value={maxTurns} onInput={(e) => setMaxTurns((e.target as HTMLInputElement).value)} />
              </Field>
            )}
            {type === 'tree_of_attacks' && ([
              ['width', 'Branches kept per level (1-10)', 10, '3'],
              ['depth', 'Levels (1-10)', 10, '5'],
              ['branching_factor', 'Children per kept branch (1-5)', 5, '2'],
            ] as [keyof typeof tree, string, number, string][]).map(([key, label, max, placeholder]) => (
              <Field label={label} id={`ex-${key}`} error={error} pointer={`/${key}`}>
                <input id={`ex-${key}`} type="number" min={1} max={max} placeholder={placeholder} value={tree[key]} onInput={(e) => setTree({ ...tree, [key]: (e.target as HTMLInputElement).value })} />
              </Field>
            ))}
            {type === 'tree_of_attacks' && (
              <Field label="Prune messages that drift off the objective" id="ex-on-topic" error={error} pointer="/on_topic_check">
                <input id="ex-on-topic" type="checkbox" checked={onTopic} onChange={(e) => setOnTopic((e.target as HTMLInputElement).checked)} />
              </Field>
            )}
            {type === 'crescendo' && (
              <Field label="Max take-backs of refused turns (0-50)" id="ex-max-backtracks" error={error} pointer="/max_backtracks">
                <input id="ex-max-backtracks" type="number" min={0} max={50} placeholder="10" value={maxBacktracks} onInput={(e) => setMaxBacktracks((e.target as HTMLInputElement).value)} />
              </Field>
            )}
          </div>
          {type === 'crescendo' && scorerCatalog.data && (
            <SideScorer id="ex-refusal-scorer" label="Refusal check" pointer="/refusal_scorer" catalog={scorerCatalog.data}
              hint="A true/false scorer whose true means the reply refused." none="refusal (built in)"
              value={refusalScorer} onChange={setRefusalScorer} error={error} />
          )}
          {type === 'tree_of_attacks' && scorerCatalog.data && (
            <SideScorer id="ex-rank-scorer" label="Rank scorer" pointer="/rank_scorer" catalog={scorerCatalog.data}
              hint="A 0-1 scorer that orders a level's replies (an LLM scale judge, say)." none="none: rank by the objective verdict"
              value={rankScorer} onChange={setRankScorer} error={error} />
          )}
          <p class="hint">Each dataset prompt is an objective; the objective scorer must be true/false, and the attack stops at the first reply it scores true.{type === 'crescendo' ? ' A reply the refusal check flags is taken back and the attacker tries a gentler step.' : ''}{type === 'tree_of_attacks' ? ' The attacker also checks each message stays on the objective.' : ''}</p>
        </div>
      )}
      <h3>Converter chains</h3>
      <p class="hint">Each chain is tried on every prompt; an empty chain sends the prompt as it is.</p>
      {converters.data && chains.map((c, i) => (
        <fieldset class="chain-box">
          <legend>Chain {i + 1}</legend>
          <ChainEditor idPrefix={`ex-chain-${i}`} catalog={converters.data!} chain={c} error={error} pointer={`/converter_chains/${i}`}
            onChange={(next) => setChains(chains.map((x, j) => (j === i ? next : x)))} />
          {chains.length > 1 && <Button onClick={() => setChains(chains.filter((_, j) => j !== i))}>Remove chain {i + 1}</Button>}
        </fieldset>
      ))}
      <Button onClick={() => setChains([...chains, []])}>Add a chain</Button>
      <h3>Scorers</h3>
      {scorerCatalog.data && (
        <ChainEditor idPrefix="ex-scorer" noun="scorer" catalog={scorerCatalog.data} chain={scorers} onChange={setScorers} error={error} pointer="/scorers" />
      )}
      {scorers.length > 0 && (
        <Field label="Objective scorer (its true means the attack succeeded)" id="ex-objective" error={error} pointer="/objective_scorer">
          <select id="ex-objective" value={String(Math.min(objective, scorers.length - 1))} onChange={(e) => setObjective(Number((e.target as HTMLSelectElement).value))}>
            {scorers.map((s, i) => <option value={String(i)}>{i + 1}. {s.type}</option>)}
          </select>
        </Field>
      )}
      <h3>Budget and labels</h3>
      <div class="grid">
        <Field label="Max requests" id="ex-max-requests" error={error} pointer="/budget/max_requests">
          <input id="ex-max-requests" type="number" min={1} value={maxRequests} onInput={(e) => setMaxRequests((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Max error share (0-1)" id="ex-max-error-share" error={error} pointer="/budget/max_error_share">
          <input id="ex-max-error-share" type="number" step="any" min={0} max={1} value={maxErrorShare} onInput={(e) => setMaxErrorShare((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Labels (key=value, comma-separated)" id="ex-labels" error={error} pointer="/labels">
          <input id="ex-labels" value={labels} onInput={(e) => setLabels((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      <ErrorNote error={error} fields={fields} />
      {dry && (
        <p class="dry-run" role="status">
          Dry run: <strong>{dry.work_items}</strong> work items, about <strong>{dry.estimated_prompt_tokens}</strong> prompt tokens.
        </p>
      )}
      <div class="actions">
        <Button busy={dryRun.busy} onClick={() => void dryRun.act()}>Dry run</Button>
        <button type="submit" disabled={run.busy}>{run.busy ? 'Starting…' : 'Run'}</button>
      </div>
    </form>
  );
}

export function ExecutionsPage() {
  const loc = useLocation();
  const q = (k: string) => loc.query.get(k) ?? '';
  const status = q('status');
  const cursor = q('cursor');
  const showNew = q('new') === '1';
  // Dates are days in the browser's time zone; the API takes instants.
  const day = (d: string, end = false) => new Date(`${d}T00:00:00`).getTime() + (end ? 86_400_000 : 0);
  const filters = {
    status,
    target_id: q('target'),
    label: q('label'),
    created_after: q('from') ? new Date(day(q('from'))).toISOString() : '',
    created_before: q('to') ? new Date(day(q('to'), true)).toISOString() : '',
  };
  const targets = useAsync(() => all<Target>('/api/v1/targets'), []);
  const list = useAsync(() => get<Page<Execution>>(pathOf('/api/v1/executions', {}, { ...filters, cursor, limit: 50 })), [JSON.stringify(filters), cursor]);
  const filtered = Object.values(filters).some(Boolean);
  return (
    <section>
      <PageTitle>Executions</PageTitle>
      <p class="lead">Every attack run, newest first.</p>
      <div class="actions">
        <Button onClick={() => setQuery({ new: showNew ? undefined : '1' })} aria-expanded={showNew}>{showNew ? 'Close the form' : 'New attack'}</Button>
      </div>
      {showNew && <NewExecution onStarted={(e) => navigate(`/executions/${encodeURIComponent(e.id)}`)} />}
      <div class="filters">
        <Field label="Status" id="ex-filter-status">
          <select id="ex-filter-status" value={status} onChange={(e) => setQuery({ status: (e.target as HTMLSelectElement).value, cursor: undefined })}>
            <option value="">any</option>
            {STATUSES.map((s) => <option value={s}>{s}</option>)}
          </select>
        </Field>
        <Field label="Target" id="ex-filter-target">
          <select id="ex-filter-target" value={q('target')} onChange={(e) => setQuery({ target: (e.target as HTMLSelectElement).value, cursor: undefined })}>
            <option value="">any</option>
            {targets.data?.map((t) => <option value={t.id}>{t.name}</option>)}
          </select>
        </Field>
        <Field label="Label (key:value)" id="ex-filter-label" error={list.error} pointer="/query/label">
          <input id="ex-filter-label" value={q('label')} onChange={(e) => setQuery({ label: (e.target as HTMLInputElement).value, cursor: undefined })} />
        </Field>
        <Field label="From" id="ex-filter-from">
          <input id="ex-filter-from" type="date" value={q('from')} onChange={(e) => setQuery({ from: (e.target as HTMLInputElement).value, cursor: undefined })} />
        </Field>
        <Field label="To" id="ex-filter-to">
          <input id="ex-filter-to" type="date" value={q('to')} onChange={(e) => setQuery({ to: (e.target as HTMLInputElement).value, cursor: undefined })} />
        </Field>
      </div>
      <ErrorNote error={list.error} fields={['/query/label']} />
      {list.loading && !list.data && <Loading what="executions" />}
      {list.data && list.data.items.length === 0 && (
        <Empty>{filtered ? 'No executions match these filters.' : 'No attacks yet. Press “New attack” to run your first.'}</Empty>
      )}
      {list.data && list.data.items.length > 0 && (
        <table>
          <thead><tr><th>Execution</th><th>Status</th><th>Progress</th><th>Success rate</th><th>Started</th></tr></thead>
          <tbody>
            {list.data.items.map((e) => (
              <tr>
                <td><Link href={`/executions/${encodeURIComponent(e.id)}`}><code>{e.id.slice(0, 13)}…</code></Link></td>
                <td><span class={`status ${e.status}`}>{e.status}</span></td>
                <td>{e.counts.sent + e.counts.errors} / {e.counts.total}</td>
                <td>{percent(e.attack_success_rate)} <span class="muted small">({e.counts.achieved}/{e.counts.scored})</span></td>
                <td><Time at={e.started_at ?? e.created_at} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursor={cursor} next={list.data?.next_cursor} />
    </section>
  );
}
