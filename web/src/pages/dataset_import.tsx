// Importing a dataset file: drop it (or choose it), see the server's dry run (the detected
// format, the fields found, the first prompts), map the CSV/JSON Lines columns, then import.
// The file goes as the request body; every error names the line and shows under its field.
import { useState } from 'preact/hooks';
import { api, get, pathOf, upload, type ApiError, type Dataset, type DatasetImport, type Page, type Schemas } from '../api/client';
import { ErrorNote, Field, useAction, useAsync } from '../ui/kit';

type Starter = Schemas['StarterDataset'];

// The datasets shipped in the server: one click copies one into your datasets.
export function StarterDatasets(props: { onImported: (d: Dataset) => void }) {
  const starters = useAsync(() => get<Page<Starter>>('/api/v1/starter-datasets'), []);
  const add = useAction(async (name: string) => {
    props.onImported(await api<Dataset>('POST', pathOf('/api/v1/datasets/import', {}, { starter: name })));
  });
  return (
    <section class="card" aria-label="Starter datasets">
      <h2>Starter datasets</h2>
      <p class="hint">Written for redcell and shipped with it: a first scan needs no files.</p>
      <ErrorNote error={starters.error ?? add.error} />
      <ul class="starters">
        {(starters.data?.items ?? []).map((d) => (
          <li>
            <strong>{d.dataset_name}</strong> · {d.count} prompts — {d.description}{' '}
            <button type="button" disabled={add.busy} aria-label={`Add ${d.dataset_name}`} onClick={() => void add.act(d.name)}>Add</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const FORMATS: [string, string][] = [
  ['', 'Detect from the file'],
  ['pyrit_yaml', 'PyRIT seed prompts (YAML)'],
  ['jailbreak_template', 'PyRIT jailbreak template'],
  ['harm_definition', 'PyRIT harm definition'],
  ['many_shot', 'Many-shot examples (JSON)'],
  ['csv', 'CSV with a header row'],
  ['jsonl', 'JSON Lines'],
  ['text', 'Text, one prompt per line'],
];
const TABULAR = new Set(['csv', 'jsonl']);

export interface ImportChoices {
  format: string;
  name: string;
  valueField: string;
  harmField: string;
}

// The import route's URL for a file and the choices made (empty choices are left out).
export function importUrl(file: string, c: ImportChoices, dryRun: boolean): string {
  return pathOf('/api/v1/datasets/import', {}, {
    filename: file, format: c.format, name: c.name, value_field: c.valueField,
    harm_categories_field: c.harmField, dry_run: dryRun ? 'true' : undefined,
  });
}

function Preview(props: { preview: DatasetImport }) {
  const p = props.preview;
  return (
    <div class="import-preview" aria-label="Import preview" role="region">
      <p>
        <strong>{p.count}</strong> prompts read as <strong>{p.format}</strong>
        {p.name ? <> for the dataset “{p.name}”</> : null}; nothing is stored until you import.
      </p>
      {p.fields && p.fields.length > 0 && <p>Fields found: {p.fields.join(', ')}</p>}
      <table>
        <thead><tr><th>#</th><th>Prompt</th><th>Type</th><th>Harm categories</th></tr></thead>
        <tbody>
          {(p.preview ?? []).map((x) => (
            <tr>
              <td>{x.position + 1}</td><td class="prompt-text">{x.value}</td><td>{x.data_type}</td>
              <td>{x.harm_categories.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ImportDataset(props: { onImported: (d: Dataset) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [choices, setChoices] = useState<ImportChoices>({ format: '', name: '', valueField: '', harmField: '' });
  const [preview, setPreview] = useState<DatasetImport | null>(null);
  const [dragging, setDragging] = useState(false);
  const set = (k: keyof ImportChoices, v: string) => { setChoices({ ...choices, [k]: v }); setPreview(null); };
  const check = useAction(async (f: File, c: ImportChoices) => {
    setPreview(await upload<DatasetImport>(importUrl(f.name, c, true), f));
  });
  const store = useAction(async () => {
    if (!file) return;
    props.onImported(await upload<Dataset>(importUrl(file.name, choices, false), file));
  });
  const choose = (f: File | null | undefined) => {
    if (!f) return;
    setFile(f);
    setPreview(null);
    void check.act(f, choices);
  };
  const error: ApiError | undefined = store.error ?? check.error;
  const tabular = TABULAR.has(preview?.format ?? choices.format) || !!error?.field?.startsWith('/query/');
  const fields = preview?.fields ?? [];
  return (
    <form class="card" aria-label="Import a dataset file" onSubmit={(e) => { e.preventDefault(); void store.act(); }}>
      <h2>Import a file</h2>
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => { e.preventDefault(); setDragging(false); choose(e.dataTransfer?.files[0]); }}
      >
        <Field label="Dataset file (drop it here, or choose)" id="ds-file" error={error} pointer="/file"
          hint="PyRIT .prompt/.yaml, jailbreak templates, harm definitions, many-shot JSON, CSV, JSON Lines or text">
          <input id="ds-file" type="file" accept=".prompt,.yaml,.yml,.json,.csv,.jsonl,.ndjson,.txt"
            onChange={(e) => choose((e.target as HTMLInputElement).files?.[0])} />
        </Field>
        {file && <p class="hint">{file.name} · {Math.ceil(file.size / 1024)} KB</p>}
      </div>
      <div class="filters">
        <Field label="Format" id="ds-format" error={error} pointer="/query/format">
          <select id="ds-format" value={choices.format} onChange={(e) => set('format', (e.target as HTMLSelectElement).value)}>
            {FORMATS.map(([v, label]) => <option value={v}>{label}</option>)}
          </select>
        </Field>
        <Field label="Name (default: the file's)" id="ds-import-name" error={error} pointer="/query/name">
          <input id="ds-import-name" maxLength={200} value={choices.name} onInput={(e) => set('name', (e.target as HTMLInputElement).value)} />
        </Field>
        {tabular && (
          <>
            <Field label="Column with the prompt" id="ds-value-field" error={error} pointer="/query/value_field">
              <input id="ds-value-field" list="ds-fields" value={choices.valueField} onInput={(e) => set('valueField', (e.target as HTMLInputElement).value)} />
            </Field>
            <Field label="Column with harm categories (split by ;)" id="ds-harm-field" error={error} pointer="/query/harm_categories_field">
              <input id="ds-harm-field" list="ds-fields" value={choices.harmField} onInput={(e) => set('harmField', (e.target as HTMLInputElement).value)} />
            </Field>
            <datalist id="ds-fields">{fields.map((f) => <option value={f} />)}</datalist>
          </>
        )}
      </div>
      <ErrorNote error={error} fields={['/file', '/query/format', '/query/name', '/query/value_field', '/query/harm_categories_field']} />
      {preview && <Preview preview={preview} />}
      <button type="button" disabled={!file || check.busy} onClick={() => file && void check.act(file, choices)}>
        {check.busy ? 'Reading…' : 'Preview'}
      </button>{' '}
      <button type="submit" disabled={!file || !preview || store.busy}>{store.busy ? 'Importing…' : 'Import'}</button>
    </form>
  );
}
