/**
 * The shared date-time field (renderer/src/ui/DateTimeField.tsx) in a form: named by its
 * label, one Tab stop, the text kept as typed (an unreadable one too), the calendar opened
 * by focus with labelled controls and no outside days, a picked day keeping the typed time
 * of day, Escape closing the calendar without reaching the form, and Enter submitting.
 * Layout and focus moves by real keys are checked in Chromium (test/browser/ui-keyboard-firewall.test.ts).
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState, type FormEvent } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { DateTimeField } from '../../../renderer/src/ui/DateTimeField.tsx';
import { parseLocalInput } from '../../../renderer/src/ui/format.ts';
import { createTestBridge } from '../bridge-double.ts';
import { renderWithBridge } from '../render-with-bridge.tsx';

afterEach(cleanup);

interface Seen {
  texts: string[];
  submitted: string[];
  escapes: number;
}

function Harness({ seen, initial = '', error }: { seen: Seen; initial?: string; error?: string }) {
  const [text, setText] = useState(initial);
  return (
    <form
      aria-label="Harness"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        seen.submitted.push(text);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') seen.escapes += 1;
      }}
    >
      <DateTimeField
        label="When"
        value={text}
        onChange={(next) => {
          seen.texts.push(next);
          setText(next);
        }}
        error={error}
      />
      <button type="submit">Go</button>
    </form>
  );
}

function setUp(props: { initial?: string; error?: string } = {}) {
  const seen: Seen = { texts: [], submitted: [], escapes: 0 };
  renderWithBridge(createTestBridge({}).bridge, <Harness seen={seen} {...props} />);
  return { seen, field: screen.getByLabelText('When') as HTMLInputElement };
}

function calendar(): HTMLElement | null {
  return document.querySelector('[data-dates-dropdown]');
}

describe('DateTimeField', () => {
  it('is one text field named by its label, showing the typed shape as a hint', () => {
    const { field } = setUp({ initial: '2031-05-06 07:08' });
    expect(field.tagName).toBe('INPUT');
    expect(field.type).toBe('text');
    expect(field.value).toBe('2031-05-06 07:08');
    expect(field.placeholder).toBe('YYYY-MM-DD HH:mm');
    // One Tab stop: nothing else in the form but the submit button takes focus.
    const stops = [...document.querySelectorAll<HTMLElement>('input, button, [tabindex]')].filter(
      (element) =>
        element.tabIndex >= 0 &&
        !(element as HTMLInputElement).disabled &&
        element.getAttribute('type') !== 'hidden',
    );
    expect(
      stops.map((element) => element.textContent || element.getAttribute('aria-label') || element.id),
    ).toEqual([field.id, 'Go']);
  });

  it('hands the owner every keystroke, an unreadable text too, and keeps it on blur', () => {
    const { seen, field } = setUp();
    fireEvent.change(field, { target: { value: '2031-05-06 07:0' } });
    fireEvent.change(field, { target: { value: '2031-05-06 07:08' } });
    fireEvent.change(field, { target: { value: '6 May, 7 am' } });
    fireEvent.blur(field);
    expect(seen.texts).toEqual(['2031-05-06 07:0', '2031-05-06 07:08', '6 May, 7 am']);
    expect(field.value).toBe('6 May, 7 am');
  });

  it('shows its error under the field and names it as the description', () => {
    const { field } = setUp({ error: 'Not a time this field can read' });
    expect(field.getAttribute('aria-invalid')).toBe('true');
    const describedBy = field.getAttribute('aria-describedby') ?? '';
    const error = describedBy
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent)
      .join(' ');
    expect(error).toContain('Not a time this field can read');
  });

  it('opens the calendar on focus at the typed month, with labelled controls and no outside days', async () => {
    const { field } = setUp({ initial: '2031-05-06 07:08' });
    expect(calendar()).toBeNull();
    act(() => field.focus());
    await waitFor(() => expect(calendar()).not.toBeNull());
    const dropdown = calendar() as HTMLElement;
    for (const name of ['Previous month', 'Next month']) {
      expect(dropdown.querySelector(`button[aria-label="${name}"]`), name).not.toBeNull();
    }
    // The month button between the arrows is named by what it shows.
    const level = [...dropdown.querySelectorAll('button')].find(
      (button) => button.textContent === 'May 2031',
    );
    expect(level?.hasAttribute('aria-label')).toBe(false);
    // Days of April and June are hidden; May's 31 are there, each named by its date, none a Tab stop.
    const days = [...dropdown.querySelectorAll<HTMLButtonElement>('button[aria-label$="2031"]')].filter(
      (day) => !day.hasAttribute('data-hidden'),
    );
    expect(days).toHaveLength(31);
    expect(days[5]?.getAttribute('aria-label')).toBe('6 May 2031');
    expect(days[5]?.hasAttribute('data-selected')).toBe(true);
    expect(days.every((day) => day.tabIndex === -1)).toBe(true);
    expect(dropdown.querySelector('[data-weekend]')).toBeNull();
  });

  it('a picked day keeps the typed time of day and closes the calendar', async () => {
    const { seen, field } = setUp({ initial: '2031-05-06 07:08' });
    act(() => field.focus());
    await waitFor(() => expect(calendar()).not.toBeNull());
    fireEvent.click(calendar()?.querySelector('button[aria-label="20 May 2031"]') as HTMLButtonElement);
    expect(seen.texts.at(-1)).toBe('2031-05-20 07:08');
    await waitFor(() => expect(field.value).toBe('2031-05-20 07:08'));
    await waitFor(() => expect(calendar()).toBeNull());
  });

  it('Escape closes the open calendar only; with it closed, Escape reaches the form', async () => {
    const { seen, field } = setUp({ initial: '2031-05-06 07:08' });
    act(() => field.focus());
    await waitFor(() => expect(calendar()).not.toBeNull());
    expect(field.getAttribute('data-mantine-stop-propagation')).toBe('true');
    fireEvent.keyDown(field, { key: 'Escape' });
    await waitFor(() => expect(calendar()).toBeNull());
    expect(seen.escapes).toBe(0);
    await waitFor(() => expect(field.hasAttribute('data-mantine-stop-propagation')).toBe(false));
    fireEvent.keyDown(field, { key: 'Escape' });
    expect(seen.escapes).toBe(1);
  });

  it('submits the surrounding form with the text as typed', () => {
    const { seen, field } = setUp();
    fireEvent.change(field, { target: { value: '2031-05-06 07:08' } });
    fireEvent.submit(field.closest('form') as HTMLFormElement);
    expect(seen.submitted).toEqual(['2031-05-06 07:08']);
    const read = parseLocalInput(seen.submitted[0] ?? '');
    expect(read.ok && read.date.getTime()).toBe(new Date(2031, 4, 6, 7, 8).getTime());
  });
});
