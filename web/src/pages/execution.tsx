// One execution: live progress from server-sent events (counts, rate, ETA, errors), pause, cancel,
// resume and re-run; its results with filters kept in the URL, each conversation one click
// away, and a reviewer's confirm or override of a score.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, get, pathOf, type Execution, type ExecutionResult, type ExecutionStart, type Message, type Page, type Schemas, type Score } from '../api/client';
import { Button, Pager, Empty, ErrorNote, Field, Link, Loading, PageTitle, Time, percent, useAction, useAsync } from '../ui/kit';
import { navigate, setQuery, useLocation } from '../router';

type Counts = Schemas['Counts'];
// Every report format the API writes (GET /executions/{id}/report?format=).
const REPORTS: [string, string][] = [
  ['html', 'HTML'], ['json', 'JSON'], ['csv', 'CSV'], ['junit', 'JUnit XML'], ['sarif', 'SARIF'], ['markdown', 'Markdown'],
];
const ACTIVE = new Set(['queued', 'running']);

// Progress from the event stream (progress only: ?items=false); the rate is measured over
// the items finished since the page opened, so a reload goes on from the stored counts.
function useProgress(id: string, initial: Execution | undefined) {
  const [live, setLive] = useState<{ status: string; counts: Counts; error?: string | null }>();
  const [rate, setRate] = useState<number>();
  const first = useRef<{ at: number; done: number }>();
  const active = initial ? ACTIVE.has(initial.status) : false;
  useEffect(() => {
    if (!active) return;
    const source = new EventSource(pathOf('/api/v1/executions/{id}/events', { id }, { items: false }));
    const update = (e: MessageEvent) => {
      const d = JSON.parse(e.data) as { status: string; counts: Counts; error?: string | null };
      const done = d.counts.sent + d.counts.errors;
      const now = performance.now();
      if (!first.current) first.current = { at: now, done };
      else if (now > first.current.at + 500 && done > first.current.done) setRate(((done - first.current.done) * 1000) / (now - first.current.at));
      setLive(d);
      if (e.type === 'finished') source.close();
    };
    for (const name of ['started', 'counters', 'finished']) source.addEventListener(name, update as EventListener);
    return () => source.close();
  }, [id, active]);
  return { live, rate };
}

function ProgressView(props: { execution: Execution; onChanged: () => void; onProgress: () => void }) {
  const e = props.execution;
  const { live, rate } = useProgress(e.id, e);
  const counts = live?.counts ?? e.counts;
  const status = live?.status ?? e.status;
  useEffect(() => {
    if (live && !ACTIVE.has(live.status)) props.onChanged();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live?.status]);
  const done = counts.sent + counts.errors;
  // The results below follow the run: refreshed at most every 2 s while items finish.
  const lastRefresh = useRef(0);
  useEffect(() => {
    if (!live) return;
    const now = Date.now();
    if (now - lastRefresh.current > 2000 || !ACTIVE.has(live.status)) {
      lastRefresh.current = now;
      props.onProgress();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [done, live?.status]);
  const share = counts.total ? done / counts.total : 0;
  const eta = rate && rate > 0 ? Math.max(0, (counts.total - done) / rate) : undefined;
  const cancel = useAction(async () => { await api('POST', pathOf('/api/v1/executions/{id}/cancel', { id: e.id }), {}); props.onChanged(); });
  const pause = useAction(async () => { await api('POST', pathOf('/api/v1/executions/{id}/pause', { id: e.id }), {}); props.onChanged(); });
  const resume = useAction(async () => { await api('POST', pathOf('/api/v1/executions/{id}/resume', { id: e.id }), {}); props.onChanged(); });
  const rerun = useAction(async () => {
    const r = await api<ExecutionStart>('POST', pathOf('/api/v1/orchestrators/{id}/executions', { id: e.orchestrator_id }), {});
    if (!('dry_run' in r)) navigate(`/executions/${encodeURIComponent((r as Execution).id)}`);
  });
  const rate_ = counts.scored ? counts.achieved / counts.scored : null;
  return (
    <div class="card">
      <div class="row-head">
        <div>
          <span class={`status ${status}`} data-testid="execution-status">{status}</span>
          {e.error && <span class="error"> {e.error}</span>}
        </div>
        <div class="actions">
          {status === 'running' && <Button busy={pause.busy} onClick={() => void pause.act()}>Pause</Button>}
          {ACTIVE.has(status) && <Button busy={cancel.busy} onClick={() => void cancel.act()}>Cancel</Button>}
          {/* The API resumes what a pause, stop or crash interrupted; a cancelled run is re-run. */}
          {status === 'interrupted' && <Button busy={resume.busy} onClick={() => void resume.act()}>Resume</Button>}
          {!ACTIVE.has(status) && <Button busy={rerun.busy} onClick={() => void rerun.act()}>Re-run</Button>}
        </div>
      </div>
      <ErrorNote error={pause.error ?? cancel.error ?? resume.error ?? rerun.error} />
      <div class="progress" role="progressbar" aria-label="Work items finished" aria-valuemin={0} aria-valuemax={counts.total} aria-valuenow={done}>
        <div class="bar" style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
      {!ACTIVE.has(status) && (
        <div class="downloads" role="group" aria-label="Reports">
          Reports:{' '}
          {REPORTS.map(([format, label], i) => (
            <>{i > 0 && ' · '}<a href={pathOf('/api/v1/executions/{id}/report', { id: e.id }, { format })} download>{label}</a></>
          ))}
        </div>
      )}
      <dl class="figures">
        <div><dt>Finished</dt><dd data-testid="progress-done">{done} / {counts.total}</dd></div>
        <div><dt>Errors</dt><dd>{counts.errors}</dd></div>
        <div><dt>Rate</dt><dd>{rate ? `${rate.toFixed(1)} items/s` : '—'}</dd></div>
        <div><dt>ETA</dt><dd>{eta !== undefined && ACTIVE.has(status) ? `${Math.ceil(eta)} s` : '—'}</dd></div>
        <div><dt>Attack success</dt><dd>{percent(rate_)} <span class="muted small">({counts.achieved} of {counts.scored} decided)</span></dd></div>
        <div><dt>Undetermined</dt><dd>{counts.undetermined}</dd></div>
      </dl>
      <p class="muted small">created <Time at={e.created_at} /> · started <Time at={e.started_at} /> · finished <Time at={e.finished_at} /></p>
    </div>
  );
}

function ScoreView(props: { score: Score; onReviewed: () => void }) {
  const s = props.score;
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(s.effective_value === 'true' ? 'false' : 'true');
  const [note, setNote] = useState('');
  const review = useAction(async (v: string) => {
    const body = s.score_type === 'true_false' ? v === 'true' : Number(v);
    await api('POST', pathOf('/api/v1/scores/{id}/review', { id: s.id }), { value: body, ...(note ? { note } : {}) });
    setOpen(false);
    props.onReviewed();
  });
  const reviewed = s.effective_value !== s.value;
  return (
    <div class={'score ' + (s.effective_value === 'true' ? 'hit' : s.effective_value === 'undetermined' ? 'undetermined' : '')}>
      <strong>{s.scorer_type}</strong>: <span class="value">{s.effective_value}</span>
      {(s.metadata as Record<string, unknown> | undefined)?.refusal_check === true && <span class="tag">crescendo's refusal check</span>}
      {reviewed && <span class="tag">reviewed (scorer said {s.value})</span>}
      {s.rationale && <p class="small">{s.rationale}</p>}
      {typeof (s.metadata as Record<string, unknown> | undefined)?.helper_conversation_id === 'string' && (
        <Link href={`/conversations/${encodeURIComponent((s.metadata as Record<string, string>).helper_conversation_id)}`}>Judge's exchange</Link>
      )}
      <Button onClick={() => setOpen(!open)} aria-expanded={open}>Review</Button>
      {open && (
        <form class="review" aria-label={`Review ${s.scorer_type}`} onSubmit={(e) => { e.preventDefault(); void review.act(value); }}>
          <Field label="Reviewed value" id={`review-${s.id}`} error={review.error} pointer="/value">
            {s.score_type === 'true_false' ? (
              <select id={`review-${s.id}`} value={value} onChange={(e) => setValue((e.target as HTMLSelectElement).value)}>
                <option value="true">true</option><option value="false">false</option>
              </select>
            ) : (
              <input id={`review-${s.id}`} type="number" step="any" min={0} max={1} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
            )}
          </Field>
          <Field label="Note" id={`review-note-${s.id}`} error={review.error} pointer="/note">
            <input id={`review-note-${s.id}`} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
          </Field>
          <ErrorNote error={review.error} fields={['/value', '/note']} />
          <button type="submit" disabled={review.busy}>Save review</button>
          <Button onClick={() => void review.act(s.value)}>Confirm the scorer</Button>
        </form>
      )}
    </div>
  );
}

// What a multi-turn attack records on its messages (red_teaming, crescendo): the turn, the
// attacker's reasoning and its side of the exchange on what was sent, the turn's verdict on
// the reply; crescendo marks a refused exchange it took back (never sent again) on both of
// its messages, the reply with the take-back's number and why it read as a refusal.
export function turnOf(m: Message) {
  const meta = (m.metadata ?? {}) as Record<string, unknown>;
  const text = (k: string) => (typeof meta[k] === 'string' ? (meta[k] as string) : undefined);
  return {
    turn: typeof meta.turn === 'number' ? meta.turn : undefined,
    attacker: text('attacker_conversation_id'),
    rationale: text('attacker_rationale'),
    verdict: text('score_value'),
    helper: text('helper'),
    backtracked: meta.backtracked === true,
    backtrack: typeof meta.backtrack === 'number' ? meta.backtrack : undefined,
    refusal: text('refusal_rationale'),
    node: text('node'),
    pruned: text('pruned'),
    onTopic: text('on_topic_rationale'),
    levelNodes: Array.isArray(meta.level_nodes) ? (meta.level_nodes as LevelNode[]) : undefined,
  };
}

// tree_of_attacks: a level's branches, as each of its messages records them.
type LevelNode = { node: string; conversation_id: string; pruned: string | null; score_value: string; rank: number };

const PRUNED: Record<string, string> = {
  off_topic: 'drifted off the objective, not sent',
  width: 'ranked below the branches kept',
  error: 'failed',
};

function LevelView(props: { level: number; nodes: LevelNode[]; self?: string }) {
  return (
    <details class="small level-nodes">
      <summary>Level {props.level}: {props.nodes.length} branches, {props.nodes.filter((n) => n.pruned).length} pruned</summary>
      <ul>
        {props.nodes.map((n) => (
          <li>
            {n.node === props.self ? <strong>{n.node} (this branch)</strong> : <Link href={`/conversations/${encodeURIComponent(n.conversation_id)}`}>{n.node}</Link>}
            {' · '}{n.pruned ? <span class="tag undetermined">pruned: {PRUNED[n.pruned] ?? n.pruned}</span> : <span class="tag">kept</span>}
            {n.score_value && <span class="muted"> · verdict {n.score_value}, rank {n.rank}</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function MessageView(props: { m: Message; onReviewed: () => void }) {
  const m = props.m;
  const t = turnOf(m);
  return (
    <div class={`message ${m.role}${t.backtracked || t.pruned ? ' backtracked' : ''}`} data-turn={t.turn} data-backtracked={t.backtracked ? 'true' : undefined} data-pruned={t.pruned}>
      <div class="muted small">
        {t.helper ? `${t.helper} · ` : ''}{m.role} · #{m.sequence}{t.turn !== undefined ? ` · turn ${t.turn}` : ''}
        {t.node ? ` · branch ${t.node}` : ''}
        {t.backtracked ? ' · taken back' : ''}
        {m.latency_ms ? ` · ${m.latency_ms.toFixed(0)} ms` : ''}
      </div>
      {t.pruned && (m.role === 'assistant' || t.pruned === 'off_topic') && (
        <p class="small">
          <span class="tag undetermined">pruned: {PRUNED[t.pruned] ?? t.pruned}</span>
          {t.onTopic && <span class="muted"> The on-topic check said: {t.onTopic}</span>}
        </p>
      )}
      {t.levelNodes && m.role === 'user' && t.turn !== undefined && <LevelView level={t.turn} nodes={t.levelNodes} self={t.node} />}
      {t.backtracked && m.role === 'assistant' && (
        <p class="small">
          <span class="tag undetermined">refused · take-back {t.backtrack}</span>
          {' '}The target no longer sees this exchange; turn {t.turn} was tried again.
          {t.refusal && <span class="muted"> Why it read as a refusal: {t.refusal}</span>}
        </p>
      )}
      {t.attacker && (
        <div class="small">
          <Link href={`/conversations/${encodeURIComponent(t.attacker)}`}>Attacker's side of turn {t.turn}</Link>
          {t.rationale && <span class="muted"> · why: {t.rationale}</span>}
        </div>
      )}
      {t.verdict && m.role === 'assistant' && (
        <span class={`tag ${t.verdict === 'true' ? 'hit' : t.verdict === 'undetermined' ? 'undetermined' : ''}`}>
          turn {t.turn}: {t.verdict === 'true' ? 'objective met' : t.verdict === 'false' ? 'not yet' : t.verdict}
        </span>
      )}
      {m.role === 'user' && m.converted_value !== m.original_value && (
        <>
          <div class="small muted">original</div>
          <pre class="original">{m.original_value}</pre>
          <div class="small muted">converted</div>
        </>
      )}
      <pre class="converted">{m.converted_value}</pre>
      {m.response_error !== 'none' && <p class="error">response error: {m.response_error}{m.error_message ? ` (${m.error_message})` : ''}</p>}
      {m.scores.map((s) => <ScoreView score={s} onReviewed={props.onReviewed} />)}
    </div>
  );
}

// A multi-turn attack at a glance, from what its messages record: the turns that counted,
// crescendo's take-backs, a tree's levels and pruned branches. Undefined for one prompt.
export function attackSummary(messages: Message[]): string | undefined {
  const turns = messages.map(turnOf);
  const counted = turns.filter((t, i) => messages[i].role === 'assistant' && t.turn !== undefined && !t.backtracked);
  if (counted.length === 0) return undefined;
  const last = Math.max(...counted.map((t) => t.turn!));
  const parts = [`${last} turn${last === 1 ? '' : 's'}`];
  const takeBacks = turns.filter((t, i) => messages[i].role === 'assistant' && t.backtracked).length;
  if (takeBacks) parts.push(`${takeBacks} taken back`);
  const levels = turns.filter((t, i) => messages[i].role === 'user' && t.levelNodes).map((t) => t.levelNodes!);
  if (levels.length) {
    const branches = levels.reduce((n, l) => n + l.length, 0);
    const pruned = levels.reduce((n, l) => n + l.filter((b) => b.pruned).length, 0);
    parts.push(`${branches} branches tried, ${pruned} pruned`);
  }
  return parts.join(' · ');
}

function ResultView(props: { r: ExecutionResult; onReviewed: () => void }) {
  const r = props.r;
  const summary = attackSummary(r.messages);
  return (
    <li class="row-card result" aria-label={`Result ${r.conversation_id}`}>
      <div class="row-head">
        <div>
          {r.achieved === true && <span class="tag hit">achieved</span>}
          {r.achieved === false && <span class="tag">not achieved</span>}
          {r.achieved === null && r.status === 'done' && r.messages.some((m) => m.scores.length > 0) && <span class="tag undetermined">undetermined</span>}
          {r.status === 'failed' && <span class="tag bad">error</span>} <span class="muted small">chain {r.chain_index} · attempt {r.attempt}{summary ? ` · ${summary}` : ''}</span>
        </div>
        <Link href={`/conversations/${encodeURIComponent(r.conversation_id)}`}>Open conversation</Link>
      </div>
      {r.error && <p class="error">{r.error}</p>}
      {r.messages.map((m) => <MessageView m={m} onReviewed={props.onReviewed} />)}
    </li>
  );
}

function Results(props: { id: string; refresh: number }) {
  const loc = useLocation();
  const q = (k: string) => loc.query.get(k) ?? '';
  const filters = { achieved: q('achieved'), error: q('error'), chain: q('chain'), harm_category: q('harm_category'), label: q('label'), cursor: q('cursor') };
  // "Verdict: undetermined" is the API's own filter, not a value of achieved.
  const query = filters.achieved === 'undetermined' ? { ...filters, achieved: '', undetermined: 'true' } : filters;
  const results = useAsync(
    () => get<Page<ExecutionResult>>(pathOf('/api/v1/executions/{id}/results', { id: props.id }, { ...query, limit: 20 })),
    [props.id, JSON.stringify(filters), filters.cursor ? 0 : props.refresh],
  );
  const set = (k: string) => (e: Event) => setQuery({ [k]: (e.target as HTMLInputElement).value, cursor: undefined });
  return (
    <section aria-label="Results">
      <h2>Results</h2>
      <div class="filters">
        <Field label="Verdict" id="f-achieved">
          <select id="f-achieved" value={filters.achieved} onChange={set('achieved')}>
            <option value="">any</option><option value="true">achieved</option><option value="false">not achieved</option><option value="undetermined">undetermined</option>
          </select>
        </Field>
        <Field label="Errors" id="f-error">
          <select id="f-error" value={filters.error} onChange={set('error')}>
            <option value="">any</option><option value="true">errors only</option><option value="false">no errors</option>
          </select>
        </Field>
        <Field label="Chain" id="f-chain" error={results.error} pointer="/query/chain">
          <input id="f-chain" inputMode="numeric" size={4} value={filters.chain} onChange={set('chain')} />
        </Field>
        <Field label="Harm category" id="f-harm">
          <input id="f-harm" value={filters.harm_category} onChange={set('harm_category')} />
        </Field>
        <Field label="Label (key:value)" id="f-label" error={results.error} pointer="/query/label">
          <input id="f-label" value={filters.label} onChange={set('label')} />
        </Field>
      </div>
      <ErrorNote error={results.error} fields={['/query/chain', '/query/label']} />
      {results.loading && !results.data && <Loading what="results" />}
      {results.data && results.data.items.length === 0 && <Empty>No results match these filters yet.</Empty>}
      <ul class="rows">
        {results.data?.items.map((r) => <ResultView r={r} onReviewed={results.reload} />)}
      </ul>
      <Pager cursor={filters.cursor} next={results.data?.next_cursor} />
    </section>
  );
}

export function ExecutionPage(props: { id: string }) {
  const execution = useAsync(() => get<Execution>(pathOf('/api/v1/executions/{id}', { id: props.id })), [props.id]);
  const [refresh, setRefresh] = useState(0);
  return (
    <section>
      <p><Link href="/executions">← Executions</Link></p>
      <PageTitle>Execution</PageTitle>
      <p class="muted"><code>{props.id}</code></p>
      <ErrorNote error={execution.error} />
      {execution.loading && !execution.data && <Loading what="the execution" />}
      {execution.data && <ProgressView execution={execution.data} onChanged={execution.reload} onProgress={() => setRefresh((r) => r + 1)} />}
      {execution.data && <Results id={props.id} refresh={refresh} />}
    </section>
  );
}

export function ConversationPage(props: { id: string }) {
  const conv = useAsync(() => get<Schemas['Conversation']>(pathOf('/api/v1/conversations/{id}', { id: props.id })), [props.id]);
  return (
    <section>
      <p><a href="#" onClick={(e) => { e.preventDefault(); window.history.back(); }}>← Back</a></p>
      <PageTitle>Conversation</PageTitle>
      <p class="muted"><code>{props.id}</code></p>
      <ErrorNote error={conv.error} />
      {conv.loading && !conv.data && <Loading what="the conversation" />}
      <div class="thread">{conv.data?.messages.map((m) => <MessageView m={m} onReviewed={conv.reload} />)}</div>
    </section>
  );
}
