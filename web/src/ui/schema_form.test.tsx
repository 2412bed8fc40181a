import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/preact';
import { SchemaForm, defaultText, type JsonSchema } from './schema_form';

const caesar: JsonSchema = {
  type: 'object',
  required: ['caesar_offset'],
  properties: {
    caesar_offset: { type: 'integer', minimum: -25, maximum: 25, description: 'places each letter moves' },
    append_description: { type: 'boolean', default: false },
    mode: { enum: ['a', 'b'] },
    words: { type: 'array', items: { type: 'string' } },
  },
};

describe('SchemaForm', () => {
  it('renders one labelled control per property, required ones marked', () => {
    render(<SchemaForm idPrefix="c" schema={caesar} value={{}} onChange={() => {}} pointer="/p" />);
    expect(screen.getByLabelText('caesar_offset (required)')).toBeTruthy();
    expect(screen.getByLabelText('append_description')).toBeTruthy();
    expect(screen.getByText(/places each letter moves/)).toBeTruthy();
  });
  it('types what the user enters by the schema, and an emptied control drops the member', () => {
    const onChange = vi.fn();
    render(<SchemaForm idPrefix="c" schema={caesar} value={{ caesar_offset: 3 }} onChange={onChange} pointer="/p" />);
    fireEvent.input(screen.getByLabelText('caesar_offset (required)'), { target: { value: '7' } });
    expect(onChange).toHaveBeenLastCalledWith({ caesar_offset: 7 });
    fireEvent.input(screen.getByLabelText('caesar_offset (required)'), { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith({});
    fireEvent.change(screen.getByLabelText('append_description'), { target: { value: 'true' } });
    expect(onChange).toHaveBeenLastCalledWith({ caesar_offset: 3, append_description: true });
    fireEvent.input(screen.getByLabelText('words'), { target: { value: 'one\ntwo\n' } });
    expect(onChange).toHaveBeenLastCalledWith({ caesar_offset: 3, words: ['one', 'two'] });
  });
  it('says so when there is nothing to set', () => {
    render(<SchemaForm idPrefix="b" schema={{ type: 'object', properties: {} }} value={{}} onChange={() => {}} pointer="/p" />);
    expect(screen.getByText('No parameters.')).toBeTruthy();
  });
});

describe('defaultText', () => {
  it('shows short defaults and summarises long lists', () => {
    expect(defaultText(false)).toBe('default false');
    expect(defaultText(undefined)).toBe('');
    expect(defaultText(Array.from({ length: 60 }, (_, i) => `phrase number ${i}`))).toBe('default: 60 built-in entries');
  });
});
