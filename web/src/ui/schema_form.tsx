// A form built from a catalog entry's JSON Schema (converters, scorers): one control per
// property, typed by the schema. An empty control leaves the member out, so the server's
// default applies; the API's error for a member shows under its control.
import type { ApiError } from '../api/client';
import { Field } from './kit';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  examples?: unknown[];
}

export type Params = Record<string, unknown>;

function kind(s: JsonSchema): string {
  if (s.enum) return 'enum';
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t === 'array' && s.items && (s.items.type === 'string' || s.items.type === 'integer')) return 'list';
  return t ?? 'json';
}

// A default short enough to read in a hint; a long list is summarised.
export function defaultText(v: unknown): string {
  if (v === undefined) return '';
  const text = JSON.stringify(v);
  if (text.length <= 80) return `default ${text}`;
  return Array.isArray(v) ? `default: ${v.length} built-in entries` : 'default: a built-in value';
}

function setMember(params: Params, name: string, value: unknown): Params {
  const next = { ...params };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}

export function SchemaForm(props: {
  idPrefix: string;
  schema: JsonSchema;
  value: Params;
  onChange: (p: Params) => void;
  error?: ApiError;
  pointer: string; // where these params sit in the request body, for error placement
}) {
  const props_ = props.schema.properties ?? {};
  const names = Object.keys(props_);
  if (names.length === 0) return <p class="hint">No parameters.</p>;
  return (
    <div class="schema-form">
      {names.map((name) => {
        const s = props_[name];
        const id = `${props.idPrefix}-${name}`;
        const required = props.schema.required?.includes(name) ?? false;
        const label = name + (required ? ' (required)' : '');
        const v = props.value[name];
        const hint = [s.description, defaultText(s.default)].filter(Boolean).join('; ');
        const common = { id, 'aria-describedby': `${id}-error`, 'aria-invalid': undefined as 'true' | undefined };
        const set = (x: unknown) => props.onChange(setMember(props.value, name, x));
        let control;
        switch (kind(s)) {
          case 'enum':
            control = (
              <select {...common} value={v === undefined ? '' : String(v)} onChange={(e) => {
                const raw = (e.target as HTMLSelectElement).value;
                set(raw === '' ? undefined : s.enum!.find((x) => String(x) === raw));
              }}>
                <option value="">{s.default !== undefined ? `(default: ${String(s.default)})` : '(choose)'}</option>
                {s.enum!.map((x) => (
                  <option value={String(x)}>{String(x)}</option>
                ))}
              </select>
            );
            break;
          case 'boolean':
            control = (
              <select {...common} value={v === undefined ? '' : String(v)} onChange={(e) => {
                const raw = (e.target as HTMLSelectElement).value;
                set(raw === '' ? undefined : raw === 'true');
              }}>
                <option value="">{s.default !== undefined ? `(default: ${String(s.default)})` : '(unset)'}</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            );
            break;
          case 'integer':
          case 'number':
            control = (
              <input {...common} type="number" step={kind(s) === 'integer' ? 1 : 'any'} min={s.minimum} max={s.maximum}
                value={v === undefined ? '' : String(v)}
                onInput={(e) => {
                  const raw = (e.target as HTMLInputElement).value;
                  set(raw === '' ? undefined : Number(raw));
                }} />
            );
            break;
          case 'string':
            control = (s.maxLength ?? 0) > 300 ? (
              <textarea {...common} rows={3} value={(v as string) ?? ''} onInput={(e) => {
                const raw = (e.target as HTMLTextAreaElement).value;
                set(raw === '' ? undefined : raw);
              }} />
            ) : (
              <input {...common} type="text" value={(v as string) ?? ''} onInput={(e) => {
                const raw = (e.target as HTMLInputElement).value;
                set(raw === '' ? undefined : raw);
              }} />
            );
            break;
          case 'list':
            control = (
              <textarea {...common} rows={2} placeholder="one per line" value={Array.isArray(v) ? v.join('\n') : ''} onInput={(e) => {
                const lines = (e.target as HTMLTextAreaElement).value.split('\n').filter((l) => l !== '');
                set(lines.length === 0 ? undefined : s.items!.type === 'integer' ? lines.map(Number) : lines);
              }} />
            );
            break;
          default:
            control = (
              <JsonInput common={common} value={v} onChange={set} />
            );
        }
        return (
          <Field label={label} id={id} error={props.error} pointer={`${props.pointer}/${name}`} hint={hint}>
            {control}
          </Field>
        );
      })}
    </div>
  );
}

// A member of any JSON type, typed as JSON; text that does not parse is kept as a string so
// that the server names the field and what it expected.
function JsonInput(props: { common: Record<string, unknown>; value: unknown; onChange: (v: unknown) => void }) {
  return (
    <textarea {...props.common} rows={3} placeholder="JSON" value={props.value === undefined ? '' : JSON.stringify(props.value)}
      onChange={(e) => {
        const raw = (e.target as HTMLTextAreaElement).value.trim();
        if (raw === '') return props.onChange(undefined);
        try {
          props.onChange(JSON.parse(raw));
        } catch {
          props.onChange(raw);
        }
      }} />
  );
}
