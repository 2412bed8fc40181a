import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/preact';
import type { Message } from '../api/client';
import { MessageView, turnOf } from './execution';

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
