// A converter chain built from the catalog: add, reorder, remove, each converter's
// parameters from its JSON Schema. Used by the converters page and the orchestrator form.
import type { ApiError, CatalogItem } from '../api/client';
import { Button } from './kit';
import { SchemaForm, type JsonSchema, type Params } from './schema_form';

export interface ChainStep {
  type: string;
  params: Params;
}

export function ChainEditor(props: {
  idPrefix: string;
  catalog: CatalogItem[];
  chain: ChainStep[];
  onChange: (c: ChainStep[]) => void;
  error?: ApiError;
  pointer: string; // "/converters" in a preview, "/converter_chains/0" in an orchestrator
  noun?: string; // "converter" (default) or "scorer"
}) {
  const noun = props.noun ?? 'converter';
  const { chain, onChange } = props;
  const replace = (i: number, step: ChainStep | null) => {
    const next = [...chain];
    if (step) next[i] = step;
    else next.splice(i, 1);
    onChange(next);
  };
  const move = (i: number, by: number) => {
    const next = [...chain];
    const [s] = next.splice(i, 1);
    next.splice(i + by, 0, s);
    onChange(next);
  };
  const addId = `${props.idPrefix}-add`;
  return (
    <div class="chain">
      {chain.length === 0 && <p class="hint">{noun === 'converter' ? 'No converters: prompts are sent as they are.' : `No ${noun}s yet.`}</p>}
      <ol>
        {chain.map((step, i) => {
          const item = props.catalog.find((c) => c.type === step.type);
          return (
            <li class="chain-step" aria-label={`Step ${i + 1}: ${step.type}`}>
              <div class="row-head">
                <strong>{i + 1}. {step.type}</strong>
                <div class="actions">
                  <Button aria-label={`Move ${step.type} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</Button>
                  <Button aria-label={`Move ${step.type} down`} disabled={i === chain.length - 1} onClick={() => move(i, 1)}>↓</Button>
                  <Button aria-label={`Remove ${step.type}`} onClick={() => replace(i, null)}>Remove</Button>
                </div>
              </div>
              {item && <p class="muted small">{item.description}</p>}
              {item && (
                <SchemaForm idPrefix={`${props.idPrefix}-${i}`} schema={item.params as JsonSchema} value={step.params}
                  onChange={(p) => replace(i, { ...step, params: p })} error={props.error} pointer={`${props.pointer}/${i}/params`} />
              )}
            </li>
          );
        })}
      </ol>
      <div class="field inline">
        <label for={addId}>Add a {noun}</label>
        <select id={addId} value="" onChange={(e) => {
          const type = (e.target as HTMLSelectElement).value;
          if (type) onChange([...chain, { type, params: {} }]);
        }}>
          <option value="">(choose)</option>
          {props.catalog.map((c) => (
            <option value={c.type}>{c.type}</option>
          ))}
        </select>
      </div>
    </div>
  );
}

export function chainBody(chain: ChainStep[]) {
  return chain.map((s) => (Object.keys(s.params).length ? { type: s.type, params: s.params } : { type: s.type }));
}
