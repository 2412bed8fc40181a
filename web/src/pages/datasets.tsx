// Datasets: the prompts an attack sends. List, create from pasted prompts, browse a
// version's prompts page by page with a search (the server's, over the whole version), add
// a new version.
import { useState } from 'preact/hooks';
import { all, api, get, pathOf, type Dataset, type Page, type SeedPrompt } from '../api/client';
import { Pager, Empty, ErrorNote, Field, Link, Loading, PageTitle, Time, useAction, useAsync } from '../ui/kit';
import { matchPath, navigate, setQuery, useLocation } from '../router';
import { ImportDataset, StarterDatasets } from './dataset_import';

// One prompt per line; a blank line is skipped.
export function promptsOf(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

function NewDataset(props: { onCreated: (d: Dataset) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [text, setText] = useState('');
  const [harm, setHarm] = useState('');
  const create = useAction(async () => {
    const harms = harm.split(',').map((h) => h.trim()).filter(Boolean);
    const prompts = promptsOf(text).map((value) => (harms.length ? { value, harm_categories: harms } : value));
    const d = await api<Dataset>('POST', '/api/v1/datasets', { name, description, prompts });
    setName(''); setDescription(''); setText(''); setHarm('');
    props.onCreated(d);
  });
  return (
    <form class="card" aria-label="New dataset" onSubmit={(e) => { e.preventDefault(); void create.act(); }}>
      <h2>New dataset</h2>
      <Field label="Name" id="ds-name" error={create.error} pointer="/name">
        <input id="ds-name" value={name} required maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label="Description" id="ds-description" error={create.error} pointer="/description">
        <input id="ds-description" value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label="Harm categories (comma-separated, for every prompt)" id="ds-harm" error={create.error} pointer="/prompts">
        <input id="ds-harm" value={harm} onInput={(e) => setHarm((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label={`Prompts, one per line (${promptsOf(text).length})`} id="ds-prompts" error={create.error} pointer="/prompts">
        <textarea id="ds-prompts" rows={8} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </Field>
      <ErrorNote error={create.error} fields={['/name', '/description', '/prompts']} />
      <button type="submit" disabled={create.busy}>{create.busy ? 'Creating…' : 'Create dataset'}</button>
    </form>
  );
}

function DatasetView(props: { id: string }) {
  const loc = useLocation();
  const version = loc.query.get('version') ?? '';
  const cursor = loc.query.get('cursor') ?? '';
  const search = loc.query.get('q') ?? '';
  const dataset = useAsync(() => get<Dataset>(pathOf('/api/v1/datasets/{id}', { id: props.id }, { version })), [props.id, version]);
  const latest = useAsync(() => get<Dataset>(pathOf('/api/v1/datasets/{id}', { id: props.id })), [props.id]);
  const prompts = useAsync(
    () => get<Page<SeedPrompt>>(pathOf('/api/v1/datasets/{id}/prompts', { id: props.id }, { version, cursor, q: search, limit: 50 })),
    [props.id, version, cursor, search],
  );
  const [text, setText] = useState('');
  const addVersion = useAction(async () => {
    const d = await api<Dataset>('POST', pathOf('/api/v1/datasets/{id}/versions', { id: props.id }), { prompts: promptsOf(text) });
    setText('');
    latest.reload();
    setQuery({ version: String(d.version), cursor: undefined });
  });
  const shown = prompts.data?.items ?? [];
  const versions = latest.data ? Array.from({ length: latest.data.version }, (_, i) => latest.data!.version - i) : [];
  return (
    <section>
      <p><Link href="/datasets">← Datasets</Link></p>
      <ErrorNote error={dataset.error ?? prompts.error} fields={["/query/q"]} />
      {dataset.data && (
        <>
          <PageTitle>{dataset.data.name}</PageTitle>
          <p class="lead">{dataset.data.description} · version {dataset.data.version} · {dataset.data.count} prompts · created <Time at={dataset.data.created_at} /></p>
          <p class="downloads">
            Download this version:{' '}
            <a href={pathOf('/api/v1/datasets/{id}/export', { id: props.id }, { format: 'jsonl', version: dataset.data.version })} download>JSON Lines</a>{' · '}
            <a href={pathOf('/api/v1/datasets/{id}/export', { id: props.id }, { format: 'pyrit_yaml', version: dataset.data.version })} download>PyRIT YAML</a>
          </p>
        </>
      )}
      <div class="filters">
        <Field label="Version" id="ds-version">
          <select id="ds-version" value={version || String(latest.data?.version ?? '')} onChange={(e) => setQuery({ version: (e.target as HTMLSelectElement).value, cursor: undefined })}>
            {versions.map((v) => <option value={String(v)}>{v}</option>)}
          </select>
        </Field>
        <Field label="Search prompts" id="ds-search" error={prompts.error} pointer="/query/q">
          <input id="ds-search" type="search" maxLength={200} value={search} onInput={(e) => setQuery({ q: (e.target as HTMLInputElement).value, cursor: undefined })} />
        </Field>
      </div>
      {prompts.loading && <Loading what="prompts" />}
      {prompts.data && shown.length === 0 && <Empty>{search ? `No prompt of this version contains “${search}”.` : 'This version has no prompts.'}</Empty>}
      <ol class="prompts">
        {shown.map((p) => (
          <li value={p.position + 1}>
            <span class="prompt-text">{p.value}</span>
            {p.harm_categories.map((h) => <span class="tag">{h}</span>)}
          </li>
        ))}
      </ol>
      <Pager cursor={cursor} next={prompts.data?.next_cursor} />
      <form class="card" aria-label="New version" onSubmit={(e) => { e.preventDefault(); void addVersion.act(); }}>
        <h2>New version</h2>
        <Field label="Its prompts, one per line (replaces this version's)" id="ds-new-version" error={addVersion.error} pointer="/prompts">
          <textarea id="ds-new-version" rows={4} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <ErrorNote error={addVersion.error} fields={['/prompts']} />
        <button type="submit" disabled={addVersion.busy}>Add version</button>
      </form>
    </section>
  );
}

export function DatasetsPage() {
  const loc = useLocation();
  const open = matchPath('/datasets/:id', loc.path);
  const datasets = useAsync(() => all<Dataset>('/api/v1/datasets'), [open?.id]);
  if (open) return <DatasetView id={open.id} />;
  return (
    <section>
      <PageTitle>Datasets</PageTitle>
      <p class="lead">The prompts your attacks send, versioned: a run names the version it used.</p>
      <ErrorNote error={datasets.error} />
      {datasets.loading && !datasets.data && <Loading what="datasets" />}
      {datasets.data && datasets.data.length === 0 && <Empty>No datasets yet. Import a file below (PyRIT YAML, CSV, JSON Lines, text…), add a starter dataset, or paste prompts one per line.</Empty>}
      {datasets.data && datasets.data.length > 0 && (
        <table>
          <thead><tr><th>Name</th><th>Version</th><th>Prompts</th><th>Created</th></tr></thead>
          <tbody>
            {datasets.data.map((d) => (
              <tr>
                <td><Link href={`/datasets/${encodeURIComponent(d.id)}`}>{d.name}</Link></td>
                <td>{d.version}</td><td>{d.count}</td><td><Time at={d.created_at} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ImportDataset onImported={(d) => navigate(`/datasets/${encodeURIComponent(d.id)}`)} />
      <StarterDatasets onImported={(d) => navigate(`/datasets/${encodeURIComponent(d.id)}`)} />
      <NewDataset onCreated={(d) => navigate(`/datasets/${encodeURIComponent(d.id)}`)} />
    </section>
  );
}
