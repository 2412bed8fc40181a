// Playground: manual red teaming. Pick a target, write a message, convert it (live
// preview), send it, read the reply and its scores, go on, or branch from any earlier turn.
// Each send is a one-prompt execution whose conversation carries the turns before it, so
// every exchange is stored with its labels and shows up in results like any other; the
// open conversation lives in the URL (?conversation=) and survives a reload.
import { useEffect, useState } from 'preact/hooks';
import { all, api, get, pathOf, type CatalogItem, type ConverterPreview, type Execution, type ExecutionResult, type ExecutionStart, type Message, type Orchestrator, type Page, type Schemas, type Target } from '../api/client';
import { ChainEditor, chainBody, type ChainStep } from '../ui/chain';
import { Button, Empty, ErrorNote, Field, Link, PageTitle, asApiError, useAction, useAsync } from '../ui/kit';
import { setQuery, useLocation } from '../router';
import { turnOf } from './execution';

type Conversation = Schemas['Conversation'];
const DONE = new Set(['succeeded', 'failed', 'cancelled', 'interrupted', 'incomplete']);

// The turns a new send carries before it: what the target saw (converted text) and said.
// An exchange a crescendo attack took back is not part of it (the target no longer saw it),
// nor a tree_of_attacks message pruned as off the objective (never sent).
export function historyOf(messages: Message[], upTo: number): { role: string; content: string }[] {
  const sent = (m: Message) => {
    const t = turnOf(m);
    return !t.backtracked && t.pruned !== 'off_topic';
  };
  return messages
    .slice(0, upTo)
    .filter((m) => (m.role === 'user' || m.role === 'assistant') && sent(m))
    .map((m) => ({ role: m.role, content: m.converted_value }));
}

async function waitFor(id: string): Promise<Execution> {
  const end = Date.now() + 300_000;
  for (;;) {
    const e = await get<Execution>(pathOf('/api/v1/executions/{id}', { id }));
    if (DONE.has(e.status)) return e;
    if (Date.now() > end) throw asApiError(new Error('the send is still running after 5 minutes; see Executions'));
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function PlaygroundPage() {
  const loc = useLocation();
  const conversationId = loc.query.get('conversation') ?? '';
  const targets = useAsync(() => all<Target>('/api/v1/targets'), []);
  const converters = useAsync(() => all<CatalogItem>('/api/v1/converters'), []);
  const scorerCatalog = useAsync(() => all<CatalogItem>('/api/v1/scorers'), []);
  const conversation = useAsync(
    () => (conversationId ? get<Conversation>(pathOf('/api/v1/conversations/{id}', { id: conversationId })) : Promise.resolve(undefined)),
    [conversationId],
  );
  const [targetId, setTargetId] = useState(loc.query.get('target') ?? '');
  const [systemPrompt, setSystemPrompt] = useState('');
  const [chain, setChain] = useState<ChainStep[]>([]);
  const [scorers, setScorers] = useState<ChainStep[]>([{ type: 'refusal', params: {} }]);
  const [label, setLabel] = useState('playground');
  const [text, setText] = useState('');
  const [branchAt, setBranchAt] = useState<number | undefined>();
  const [preview, setPreview] = useState<string>();
  const [lastExecution, setLastExecution] = useState<string>();
  const messages = conversation.data?.messages ?? [];
  const kept = branchAt === undefined ? messages : messages.slice(0, branchAt);

  // The chain as its JSON: a new array of the same steps is not a change to preview again.
  const chainJson = JSON.stringify(chainBody(chain));
  useEffect(() => {
    if (!text || chainJson === '[]') return setPreview(undefined);
    const h = window.setTimeout(() => {
      api<ConverterPreview>('POST', '/api/v1/converters/preview', { text, converters: JSON.parse(chainJson) }).then(
        (p) => setPreview(p.output),
        () => setPreview(undefined),
      );
    }, 250);
    return () => window.clearTimeout(h);
  }, [text, chainJson]);

  const send = useAction(async () => {
    const target = targetId || targets.data?.[0]?.id || '';
    const o = await api<Orchestrator>('POST', '/api/v1/orchestrators', {
      name: 'playground',
      type: 'prompt_sending',
      target_id: target,
      prompts: [text],
      converter_chains: [chainBody(chain)],
      scorers: chainBody(scorers),
      ...(systemPrompt ? { system_prompt: systemPrompt } : {}),
      ...(kept.length ? { prepended_conversation: historyOf(kept, kept.length) } : {}),
      labels: { source: 'playground', session: label || 'playground' },
    });
    const start = await api<ExecutionStart>('POST', pathOf('/api/v1/orchestrators/{id}/executions', { id: o.id }), {});
    const e = await waitFor((start as Execution).id);
    setLastExecution(e.id);
    const results = await get<Page<ExecutionResult>>(pathOf('/api/v1/executions/{id}/results', { id: e.id }, { limit: 1 }));
    const r = results.items[0];
    if (!r) throw asApiError(new Error(`the send ended ${e.status}${e.error ? `: ${e.error}` : ''}`));
    setText('');
    setBranchAt(undefined);
    setQuery({ conversation: r.conversation_id, target: target });
  });

  if (targets.data?.length === 0)
    return (
      <section>
        <PageTitle>Playground</PageTitle>
        <Empty>You need a target to talk to: <Link href="/targets">create a target</Link>.</Empty>
      </section>
    );
  return (
    <section>
      <PageTitle>Playground</PageTitle>
      <p class="lead">Talk to a target by hand: convert, send, score, go on, or branch from any turn. Every exchange is stored.</p>
      <ErrorNote error={targets.error ?? conversation.error} />
      <div class="two-columns">
        <div class="card">
          <Field label="Target" id="pg-target" error={send.error} pointer="/target_id">
            <select id="pg-target" value={targetId} onChange={(e) => setTargetId((e.target as HTMLSelectElement).value)}>
              {targets.data?.map((t) => <option value={t.id}>{t.name} ({t.type})</option>)}
            </select>
          </Field>
          <Field label="System prompt (optional)" id="pg-system" error={send.error} pointer="/system_prompt">
            <textarea id="pg-system" rows={2} value={systemPrompt} onInput={(e) => setSystemPrompt((e.target as HTMLTextAreaElement).value)} />
          </Field>
          <Field label="Session label" id="pg-label" error={send.error} pointer="/labels">
            <input id="pg-label" value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
          </Field>
          <h2>Converters</h2>
          {converters.data && <ChainEditor idPrefix="pg-chain" catalog={converters.data} chain={chain} onChange={setChain} error={send.error} pointer="/converter_chains/0" />}
          <h2>Scorers</h2>
          {scorerCatalog.data && <ChainEditor idPrefix="pg-scorer" noun="scorer" catalog={scorerCatalog.data} chain={scorers} onChange={setScorers} error={send.error} pointer="/scorers" />}
        </div>
        <div class="card" aria-label="Conversation">
          <h2>Conversation</h2>
          {kept.length === 0 && <p class="hint">Nothing sent yet{branchAt !== undefined ? ' (a new branch from the start)' : ''}.</p>}
          <div class="thread">
            {kept.map((m, i) => (
              <div class={`message ${m.role}`} data-testid={`turn-${i}`}>
                <div class="row-head">
                  <span class="muted small">{m.role}</span>
                  {m.role === 'assistant' && (
                    <Button aria-label={`Branch from here, after turn ${i + 1}`} onClick={() => setBranchAt(i + 1)}>Branch from here</Button>
                  )}
                </div>
                {m.role === 'user' && m.original_value !== m.converted_value && <pre class="original">{m.original_value}</pre>}
                <pre class="converted">{m.converted_value}</pre>
                {m.response_error !== 'none' && <p class="error">response error: {m.response_error}{m.error_message ? ` (${m.error_message})` : ''}</p>}
                {m.scores.map((s) => (
                  <div class={'score ' + (s.effective_value === 'true' ? 'hit' : '')}>
                    <strong>{s.scorer_type}</strong>: <span class="value">{s.effective_value}</span>
                    {s.rationale && <span class="small"> {s.rationale}</span>}
                  </div>
                ))}
              </div>
            ))}
          </div>
          {branchAt !== undefined && (
            <p class="hint" role="status">
              Branching after turn {branchAt}: the next message continues from there. <Button onClick={() => setBranchAt(undefined)}>Keep the whole conversation</Button>
            </p>
          )}
          <form aria-label="Send a message" onSubmit={(e) => { e.preventDefault(); void send.act(); }}>
            <Field label="Message" id="pg-text" error={send.error} pointer="/prompts">
              <textarea id="pg-text" rows={4} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
            </Field>
            {preview !== undefined && (
              <div>
                <div class="small muted">sent as</div>
                <pre class="converted" data-testid="pg-preview">{preview}</pre>
              </div>
            )}
            <ErrorNote error={send.error} fields={['/target_id', '/system_prompt', '/labels', '/prompts', '/converter_chains/0', '/scorers']} />
            <div class="actions">
              <button type="submit" disabled={send.busy || !text}>{send.busy ? 'Sending…' : 'Send'}</button>
              <Button onClick={() => { setBranchAt(undefined); setQuery({ conversation: undefined }); }}>New conversation</Button>
              {lastExecution && <Link href={`/executions/${encodeURIComponent(lastExecution)}`}>Open the last send in results</Link>}
            </div>
          </form>
        </div>
      </div>
    </section>
  );
}
