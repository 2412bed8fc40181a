import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/preact';
import { ApiError } from '../api/client';
import { ErrorNote, Field, errorFor } from './kit';

describe('errorFor', () => {
  const e = new ApiError(400, 'invalid_argument', '/converters/0/params/caesar_offset: expected an integer', '/converters/0/params/caesar_offset');
  it('matches the field the API names and the members under it', () => {
    expect(errorFor(e, '/converters/0/params/caesar_offset')).toBe(e);
    expect(errorFor(e, '/converters/0')).toBe(e);
  });
  it('does not match a sibling whose name starts the same', () => {
    expect(errorFor(e, '/converters/0/params/caesar')).toBeUndefined();
    expect(errorFor(e, '/converters/1')).toBeUndefined();
  });
});

describe('Field', () => {
  it('shows the error that names it under its control, as an alert', () => {
    const e = new ApiError(400, 'invalid_argument', '/name: expected 1 to 200 characters', '/name');
    render(
      <Field label="Name" id="n" error={e} pointer="/name">
        <input id="n" />
      </Field>,
    );
    expect(screen.getByRole('alert').textContent).toContain('expected 1 to 200 characters');
    expect(screen.getByLabelText('Name')).toBeTruthy();
  });
  it('stays quiet about another field\'s error', () => {
    const e = new ApiError(400, 'invalid_argument', 'bad type', '/type');
    render(
      <Field label="Name" id="n2" error={e} pointer="/name">
        <input id="n2" />
      </Field>,
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('ErrorNote', () => {
  it('shows an error no field on screen names', () => {
    render(<ErrorNote error={new ApiError(409, 'conflict', 'the execution is running')} fields={['/name']} />);
    expect(screen.getByRole('alert').textContent).toContain('the execution is running');
  });
  it('leaves a field\'s error to the field', () => {
    const { container } = render(<ErrorNote error={new ApiError(400, 'invalid_argument', 'x', '/name')} fields={['/name']} />);
    expect(container.textContent).toBe('');
  });
});
