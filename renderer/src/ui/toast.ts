/**
 * Toasts for the result of an action ("Unlocked sample-model · 3.0 MiB in 1.3 s"). A
 * toast reports what happened; a refusal stays in the page, under the field or at the
 * top of the view it concerns, where it can be read at leisure.
 */
import { notifications } from '@mantine/notifications';

export type ToastTone = 'success' | 'info' | 'warning' | 'error';

const colour: Record<ToastTone, string> = { success: 'green', info: 'blue', warning: 'yellow', error: 'red' };

export function toast(tone: ToastTone, message: string, title?: string): void {
  notifications.show({
    color: colour[tone],
    title,
    message,
    autoClose: tone === 'error' ? 10_000 : 5_000,
    withBorder: true,
    // Mantine's × has no name of its own: the keyboard reaches it after the view.
    closeButtonProps: { 'aria-label': 'Dismiss this message' },
  });
}
