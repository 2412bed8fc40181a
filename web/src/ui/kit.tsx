// The small pieces every page is built from: links that stay in the app, loading and error
// states, fields that show the API error naming them, and empty states that say what next.
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { navigate, setQuery } from '../router';

export function Link(props: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined }) {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} onClick={onClick} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}

export interface Async<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

// Runs `load` when `deps` change; a stale answer (deps changed meanwhile) is dropped.
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (error) => mine === seq.current && setState({ error: asApiError(error), loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'client_error', String(e));
}

// An action that may fail: its error is kept to be shown next to the field it names.
export function useAction<A extends unknown[], R>(run: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const act = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await run(...args);
    } catch (e) {
      setError(asApiError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { act, busy, error, setError };
}

// The error for one field: the API names it by a JSON pointer; a field shows the errors at
// its pointer or below it.
export function errorFor(error: ApiError | undefined, pointer: string): ApiError | undefined {
  if (!error?.field) return undefined;
  return error.field === pointer || error.field.startsWith(pointer + '/') ? error : undefined;
}

export function Field(props: { label: string; id: string; error?: ApiError; pointer?: string; hint?: string; children: ComponentChildren }) {
  const err = props.pointer !== undefined ? errorFor(props.error, props.pointer) : undefined;
  return (
    <div class={'field' + (err ? ' invalid' : '')}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !err && <small class="hint">{props.hint}</small>}
      {err && (
        <small class="field-error" role="alert" id={props.id + '-error'}>
          {err.message}
        </small>
      )}
    </div>
  );
}

// An error no field on screen names (or any error when `fields` is empty).
export function ErrorNote(props: { error?: ApiError; fields?: string[] }) {
  const e = props.error;
  if (!e) return null;
  if (e.field && props.fields?.some((f) => errorFor(e, f))) return null;
  return (
    <p class="error" role="alert">
      {e.message}
      {e.field ? ` (${e.field})` : ''}
    </p>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="empty">{props.children}</div>;
}

export function Button(props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean }) {
  const { busy, children, ...rest } = props;
  return (
    <button type="button" {...rest} disabled={busy || rest.disabled} aria-busy={busy ? 'true' : undefined}>
      {busy ? '… ' : ''}
      {children}
    </button>
  );
}

export function Time(props: { at: string | null | undefined }) {
  if (!props.at) return <span>—</span>;
  const d = new Date(props.at);
  return <time dateTime={props.at}>{d.toLocaleString()}</time>;
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function PageTitle(props: { children: ComponentChildren }) {
  useEffect(() => {
    const text = typeof props.children === 'string' ? props.children : '';
    if (text) document.title = `${text} · redcell`;
  }, [props.children]);
  return <h1>{props.children}</h1>;
}

// Keyset paging through the URL's ?cursor=: the first page, and the next while there is one.
export function Pager(props: { cursor: string; next: string | null | undefined }) {
  return (
    <div class="pager">
      {props.cursor && <Button onClick={() => setQuery({ cursor: undefined })}>First page</Button>}
      {props.next && <Button onClick={() => setQuery({ cursor: props.next! })}>Next page</Button>}
    </div>
  );
}
