import { Button, Group, Modal } from '@mantine/core';
import type { ReactNode } from 'react';
import { useReturnFocus } from './focus-return.ts';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * A modal confirmation for state-changing actions (Mantine's Modal: focus trapped
 * inside, Escape cancels, focus returns to what opened it). Focus starts on Cancel,
 * the safe choice.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  useReturnFocus();
  return (
    <Modal
      opened
      onClose={props.onCancel}
      title={props.title}
      centered
      size="md"
      closeButtonProps={{ 'aria-label': 'Close dialog' }}
    >
      <div>{props.children}</div>
      <Group justify="flex-end" mt="md" gap="xs">
        <Button variant="default" onClick={props.onCancel} data-autofocus>
          Cancel
        </Button>
        <Button color={props.danger ? 'red' : undefined} onClick={props.onConfirm}>
          {props.confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
