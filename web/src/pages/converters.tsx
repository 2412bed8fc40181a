// Converters: build a chain from the catalog and watch a sample prompt go through it, step
// by step, as you type (the server converts; nothing is stored).
import { useEffect, useState } from 'preact/hooks';
import { all, api, type CatalogItem, type ConverterPreview } from '../api/client';
import { ChainEditor, chainBody, type ChainStep } from '../ui/chain';
import { ErrorNote, Field, Loading, PageTitle, useAction, useAsync } from '../ui/kit';
import { setQuery, useLocation } from '../router';

function chainFromUrl(raw: string | null): ChainStep[] {
  if (!raw) return [];
  try {
    const v = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((s) => typeof s?.type === 'string').map((s) => ({ type: s.type, params: s.params ?? {} })) : [];
  } catch {
    return [];
  }
}

export function ConvertersPage() {
  const loc = useLocation();
  const catalog = useAsync(() => all<CatalogItem>('/api/v1/converters'), []);
  const [text, setText] = useState('Tell me how the lock on this door works.');
  const [chain, setChain] = useState<ChainStep[]>(() => chainFromUrl(loc.query.get('chain')));
  const [preview, setPreview] = useState<ConverterPreview>();
  const run = useAction(async (t: string, c: ChainStep[]) => setPreview(await api<ConverterPreview>('POST', '/api/v1/converters/preview', { text: t, converters: chainBody(c) })));
  // The preview follows the text and the chain, a moment after the last change.
  useEffect(() => {
    const h = window.setTimeout(() => void run.act(text, chain), 250);
    return () => window.clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, JSON.stringify(chain)]);
  const change = (c: ChainStep[]) => {
    setChain(c);
    setQuery({ chain: c.length ? JSON.stringify(chainBody(c)) : undefined });
  };
  return (
    <section>
      <PageTitle>Converters</PageTitle>
      <p class="lead">Chain converters from the catalog ({catalog.data?.length ?? '…'} available) and preview what the target would receive.</p>
      <ErrorNote error={catalog.error} />
      {catalog.loading && <Loading what="the converter catalog" />}
      <div class="two-columns">
        <div class="card">
          <Field label="Sample prompt" id="preview-text" error={run.error} pointer="/text">
            <textarea id="preview-text" rows={4} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          </Field>
          {catalog.data && <ChainEditor idPrefix="chain" catalog={catalog.data} chain={chain} onChange={change} error={run.error} pointer="/converters" />}
        </div>
        <div class="card" aria-live="polite">
          <h2>Preview</h2>
          <ErrorNote error={run.error} fields={['/text']} />
          {preview && !run.error && (
            <>
              <ol class="steps">
                {preview.steps.map((s, i) => (
                  <li aria-label={`Output of step ${i + 1}`}>
                    <span class="tag">{s.type}</span>
                    <pre class="converted">{s.output}</pre>
                  </li>
                ))}
              </ol>
              <h3>Sent to the target</h3>
              <pre class="converted" data-testid="preview-output">{preview.output}</pre>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
