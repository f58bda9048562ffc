/**
 * The console's one date-time field: the operator types local wall-clock time as
 * `YYYY-MM-DD HH:mm` (format.ts reads it, strictly), or picks a day in the calendar that
 * opens under the field. One Tab stop (the calendar's buttons take no focus: the typed
 * text is the keyboard's way in), Enter submits the surrounding form, and Escape closes
 * the calendar only: while it is open the key goes no further, so a surrounding editor or
 * dialog stays. The text is the value: the owner keeps it as typed, reads it with
 * `parseLocalInput` when it submits, and shows what is wrong with `error`.
 *
 * The calendar's stylesheet is imported here, so it loads with the views that use the
 * field; like the rest of Mantine's styles it is a static file (the page's CSP allows no
 * style element built at run time).
 */
import '@mantine/dates/styles.css';
import type { MantineSize, StyleProp } from '@mantine/core';
import { DateInput, type DateStringValue } from '@mantine/dates';
import dayjs from 'dayjs';
import {
  useRef,
  useState,
  type ChangeEvent,
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { parseLocalInput } from './format.ts';

/**
 * Names for the calendar's arrow buttons (icons only). The month and year buttons between
 * them keep their visible text ("May 2031") as their name: a label that differs from what
 * they show fails axe's label-content-name-mismatch.
 */
const calendarLabels = {
  previousMonth: 'Previous month',
  nextMonth: 'Next month',
  previousYear: 'Previous year',
  nextYear: 'Next year',
  previousDecade: 'Previous decade',
  nextDecade: 'Next decade',
};

/** Mantine's own value shape for a date and time (local, no zone). */
const mantineShape = 'YYYY-MM-DD HH:mm:ss';

export interface DateTimeFieldProps {
  label: string;
  /** The text as typed (`YYYY-MM-DD HH:mm`, or whatever the operator has typed so far). */
  value: string;
  onChange(text: string): void;
  error?: ReactNode;
  disabled?: boolean;
  autoFocus?: boolean;
  size?: MantineSize;
  w?: StyleProp<CSSProperties['width']>;
}

export function DateTimeField({
  label,
  value,
  onChange,
  error,
  disabled,
  autoFocus,
  size,
  w,
}: DateTimeFieldProps) {
  const [open, setOpen] = useState(false);
  // Mantine's field keeps its own text and follows `value` only while it reads as a time:
  // a change from outside (Clear, another rule) builds the field anew with the new text.
  const outside = useRef({ text: value, generation: 0 });
  if (value !== outside.current.text)
    outside.current = { text: value, generation: outside.current.generation + 1 };
  const report = (text: string): void => {
    outside.current = { ...outside.current, text };
    onChange(text);
  };
  const read = parseLocalInput(value);
  const picked: DateStringValue | null = read.ok ? dayjs(read.date).format(mantineShape) : null;
  // The time of day a picked day keeps: the one typed so far, else midnight.
  const timeOfDay = read.ok ? dayjs(read.date).format('HH:mm') : '00:00';

  return (
    <DateInput
      key={outside.current.generation}
      label={label}
      error={error}
      disabled={disabled}
      autoFocus={autoFocus}
      size={size}
      w={w}
      placeholder="YYYY-MM-DD HH:mm"
      valueFormat="YYYY-MM-DD HH:mm"
      withTime
      // What the operator typed stays as typed (an unreadable text too, so it can be
      // corrected): no reformatting on blur, and the owner gets every keystroke.
      fixOnBlur={false}
      value={picked}
      onChange={() => undefined}
      dateParser={(text) => {
        const result = parseLocalInput(text);
        return result.ok ? dayjs(result.date).format(mantineShape) : null;
      }}
      onChangeCapture={(event: ChangeEvent<HTMLInputElement>) => report(event.currentTarget.value)}
      onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
        if (event.key === 'Escape' && open) event.stopPropagation();
      }}
      // A Mantine modal around the field leaves Escape alone while the calendar is open.
      data-mantine-stop-propagation={open || undefined}
      popoverProps={{
        onOpen: () => setOpen(true),
        onClose: () => setOpen(false),
      }}
      getDayProps={(day) => ({
        onClick: () => report(`${dayjs(day).format('YYYY-MM-DD')} ${timeOfDay}`),
      })}
      ariaLabels={calendarLabels}
      // Mantine greys the other months' days and reds the weekend's: both fail axe's
      // colour-contrast check (grey in both themes, red in the light one). The other
      // months' days are hidden, and weekends are days like any other here.
      hideOutsideDates
      weekendDays={[]}
      highlightToday
    />
  );
}
