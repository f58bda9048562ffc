import { Button, Group, Modal } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { useReturnFocus } from './focus-return.ts';

export interface FormDialogProps {
  title: string;
  children: ReactNode;
  submitLabel: string;
  /** While true the submit button shows it is working and does not submit again. */
  busy?: boolean;
  onSubmit(): void;
  onClose(): void;
  closeLabel?: string;
}

/**
 * The one dialog with fields (unlock, export): a form inside Mantine's Modal, so focus
 * is trapped and starts on the field marked `data-autofocus` (the first one), Enter in
 * any field submits, Escape closes, and focus returns to the button that opened it.
 * Checking the values (an empty password gets its message under the field) is the
 * owner's `onSubmit`.
 */
export function FormDialog(props: FormDialogProps) {
  useReturnFocus();
  function submit(event: FormEvent): void {
    event.preventDefault();
    if (!props.busy) props.onSubmit();
  }
  return (
    <Modal
      opened
      onClose={props.onClose}
      title={props.title}
      centered
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close dialog' }}
    >
      <form onSubmit={submit} noValidate aria-label={props.title}>
        {props.children}
        <Group justify="flex-end" mt="md" gap="xs">
          <Button variant="default" onClick={props.onClose}>
            {props.closeLabel ?? 'Cancel'}
          </Button>
          <Button type="submit" loading={props.busy}>
            {props.submitLabel}
          </Button>
        </Group>
      </form>
    </Modal>
  );
}
