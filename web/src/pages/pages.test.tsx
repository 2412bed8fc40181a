import { describe, expect, it } from 'vitest';
import { matchPath } from '../router';
import { pathOf } from '../api/client';
import { promptsOf } from './datasets';
import { bodyOf } from './targets';
import { perDay } from './dashboard';
import type { Execution } from '../api/client';

describe('routes and API paths', () => {
  it('matches client routes and decodes their parameters', () => {
    expect(matchPath('/executions/:id', '/executions/a%2Fb')).toEqual({ id: 'a/b' });
    expect(matchPath('/executions/:id', '/executions')).toBeNull();
    expect(matchPath('/datasets/:id', '/targets/x')).toBeNull();
  });
  it('escapes path parameters and leaves out empty query values', () => {
    expect(pathOf('/api/v1/targets/{id}', { id: '../admin' })).toBe('/api/v1/targets/..%2Fadmin');
    expect(pathOf('/api/v1/executions', {}, { status: '', limit: 50, cursor: null })).toBe('/api/v1/executions?limit=50');
  });
  it('percent-encodes query values: a space is %20, a plus stays a plus', () => {
    expect(pathOf('/api/v1/datasets/import', {}, { name: 'my attacks', q: 'a+b&c' }))
      .toBe('/api/v1/datasets/import?name=my%20attacks&q=a%2Bb%26c');
  });
});

describe('forms', () => {
  it('reads one prompt per line, skipping blank lines', () => {
    expect(promptsOf('a\n\n  b  \n')).toEqual(['a', 'b']);
  });
  it('types target members and keeps unparsable JSON as text for the server to name', () => {
    const body = bodyOf({ name: 'm', type: 'mock', latency_ms: '25', limits: '{"max_in_flight": 1}', script: '{bad', behavior: '' },
      ['name', 'type', 'latency_ms', 'limits', 'script', 'behavior']);
    expect(body).toEqual({ name: 'm', type: 'mock', latency_ms: 25, limits: { max_in_flight: 1 }, script: '{bad' });
  });
});

describe('dashboard', () => {
  it('counts executions and successful attacks per day, in order', () => {
    const e = (day: string, achieved: number) => ({ created_at: `${day}T10:00:00.000Z`, counts: { achieved } }) as unknown as Execution;
    expect(perDay([e('2026-12-02', 1), e('2026-12-01', 2), e('2026-12-02', 3)])).toEqual([
      { day: '2026-12-01', runs: 1, achieved: 2 },
      { day: '2026-12-02', runs: 2, achieved: 4 },
    ]);
  });
});

describe('playground', () => {
  it('carries what the target saw and said before the branch point, without system turns', async () => {
    const { historyOf } = await import('./playground');
    const m = (role: string, original: string, converted: string) =>
      ({ role, original_value: original, converted_value: converted }) as unknown as import('../api/client').Message;
    const messages = [m('system', 's', 's'), m('user', 'hi', 'aGk='), m('assistant', 'hello', 'hello'), m('user', 'more', 'more'), m('assistant', 'ok', 'ok')];
    expect(historyOf(messages, 3)).toEqual([
      { role: 'user', content: 'aGk=' },
      { role: 'assistant', content: 'hello' },
    ]);
    expect(historyOf(messages, messages.length)).toHaveLength(4);
  });
  it('leaves out an exchange a crescendo attack took back', async () => {
    const { historyOf } = await import('./playground');
    const m = (role: string, text: string, backtracked: boolean) =>
      ({ role, original_value: text, converted_value: text, metadata: backtracked ? { backtracked: true, turn: 2 } : { turn: 1 } }) as unknown as import('../api/client').Message;
    const messages = [m('user', 'a', false), m('assistant', 'b', false), m('user', 'refused ask', true), m('assistant', 'no', true), m('user', 'c', false), m('assistant', 'd', false)];
    expect(historyOf(messages, messages.length).map((t) => t.content)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('leaves out a tree branch message pruned before it was sent', async () => {
    const { historyOf } = await import('./playground');
    const m = (role: string, text: string, pruned?: string) =>
      ({ role, original_value: text, converted_value: text, metadata: pruned ? { pruned } : {} }) as unknown as import('../api/client').Message;
    expect(historyOf([m('user', 'a'), m('assistant', 'b'), m('user', 'drift', 'off_topic')], 3).map((t) => t.content)).toEqual(['a', 'b']);
    expect(historyOf([m('user', 'a'), m('assistant', 'b', 'width')], 2)).toHaveLength(2);
  });
});
