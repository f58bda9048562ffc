import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmDialog } from '../../../renderer/src/ui/ConfirmDialog.tsx';

afterEach(cleanup);

describe('ConfirmDialog', () => {
  it('starts on Cancel, keeps Tab inside, and cancels on Escape', () => {
    const outcomes: string[] = [];
    render(
      <ConfirmDialog
        title="Delete it?"
        confirmLabel="Delete"
        danger
        onConfirm={() => outcomes.push('confirm')}
        onCancel={() => outcomes.push('cancel')}
      >
        Gone for good.
      </ConfirmDialog>,
    );
    const dialog = screen.getByRole('alertdialog', { name: 'Delete it?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement?.textContent).toBe('Delete');
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(outcomes).toEqual(['cancel', 'confirm']);
  });
});
