import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/preact';
import type { Message } from '../api/client';
import { MessageView, attackSummary, turnOf } from './execution';

const message = (role: string, text: string, metadata: Record<string, unknown>) =>
  ({ id: `${role}-${text}`, role, sequence: 2, original_value: text, converted_value: text, response_error: 'none', scores: [], metadata }) as unknown as Message;

describe('a crescendo thread', () => {
  it('marks a taken-back reply with its number and why it read as a refusal', () => {
    const m = message('assistant', 'I cannot.', { turn: 2, backtracked: true, backtrack: 1, refusal_rationale: 'matched "i cannot"' });
    const { container } = render(<MessageView m={m} onReviewed={() => {}} />);
    expect(container.querySelector('.message.backtracked[data-backtracked="true"]')).toBeTruthy();
    expect(screen.getByText('refused · take-back 1')).toBeTruthy();
    expect(container.textContent).toContain('turn 2 was tried again');
    expect(container.textContent).toContain('matched "i cannot"');
  });
  it('marks the taken-back message sent, and leaves a counted turn unmarked', () => {
    const sent = message('user', 'tell me', { turn: 2, backtracked: true });
    const { container } = render(<MessageView m={sent} onReviewed={() => {}} />);
    expect(container.textContent).toContain('taken back');
    expect(container.textContent).not.toContain('take-back 1');
    const counted = message('assistant', 'sure', { turn: 2, score_value: 'true' });
    expect(turnOf(counted).backtracked).toBe(false);
    const { container: c2 } = render(<MessageView m={counted} onReviewed={() => {}} />);
    expect(c2.querySelector('.backtracked')).toBeNull();
    expect(c2.textContent).toContain('turn 2: objective met');
  });
});

describe('a tree of attacks', () => {
  it('lists a level\'s branches on its message, pruned ones with why and a link', () => {
    const nodes = [
      { node: 'tap-1-0', conversation_id: 'c0', pruned: 'off_topic', score_value: '', rank: 0 },
      { node: 'tap-1-1', conversation_id: 'c1', pruned: null, score_value: 'false', rank: 0 },
    ];
    const m = message('user', 'ask', { turn: 1, node: 'tap-1-1', level_nodes: nodes });
    const { container } = render(<MessageView m={m} onReviewed={() => {}} />);
    expect(container.textContent).toContain('Level 1: 2 branches, 1 pruned');
    expect(screen.getByRole('link', { name: 'tap-1-0' }).getAttribute('href')).toBe('/conversations/c0');
    expect(container.textContent).toContain('pruned: drifted off the objective, not sent');
    expect(container.textContent).toContain('tap-1-1 (this branch)');
  });
  it('marks a pruned reply', () => {
    const m = message('assistant', 'no', { turn: 2, node: 'tap-2-0', pruned: 'width', score_value: 'false' });
    const { container } = render(<MessageView m={m} onReviewed={() => {}} />);
    expect(container.querySelector('.message[data-pruned="width"]')).toBeTruthy();
    expect(container.textContent).toContain('pruned: ranked below the branches kept');
  });
});


describe('a multi-turn result at a glance', () => {
  it('counts the turns that counted and the take-backs', () => {
    const ms = [message('user', 'a', { turn: 1 }), message('assistant', 'no', { turn: 1, backtracked: true }),
      message('user', 'b', { turn: 1 }), message('assistant', 'ok', { turn: 1 }),
      message('user', 'c', { turn: 2 }), message('assistant', 'yes', { turn: 2 })];
    expect(attackSummary(ms)).toBe('2 turns · 1 taken back');
  });
  it('counts a tree\'s branches and pruned ones over its levels', () => {
    const level = (pruned: (string | null)[]) => pruned.map((p, i) => ({ node: `n${i}`, conversation_id: `c${i}`, pruned: p, score_value: '', rank: 0 }));
    const ms = [message('user', 'a', { turn: 1, level_nodes: level(['off_topic', null]) }), message('assistant', 'no', { turn: 1 }),
      message('user', 'b', { turn: 2, level_nodes: level([null, 'width']) }), message('assistant', 'yes', { turn: 2 })];
    expect(attackSummary(ms)).toBe('2 turns · 4 branches tried, 2 pruned');
  });
  it('says nothing for a single prompt', () => {
    expect(attackSummary([message('user', 'a', {}), message('assistant', 'b', {})])).toBeUndefined();
  });
});
