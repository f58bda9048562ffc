import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmDialog } from '../../../renderer/src/ui/ConfirmDialog.tsx';
import { createTestBridge } from '../bridge-double.ts';
import { renderWithBridge } from '../render-with-bridge.tsx';

afterEach(cleanup);

describe('ConfirmDialog', () => {
  it('is a modal dialog named by its title that starts on Cancel and cancels on Escape', async () => {
    const outcomes: string[] = [];
    renderWithBridge(
      createTestBridge({}).bridge,
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
    // Focus placement and the Tab trap need layout: the keyboard tests check them in Chromium
    // (test/browser/ui-keyboard.test.ts, ui-keyboard-firewall.test.ts). Here: a modal dialog named by its title, Escape cancels.
    const dialog = await screen.findByRole('dialog', { name: 'Delete it?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.querySelector('[data-autofocus]')?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(outcomes).toEqual(['cancel', 'confirm']);
  });

  it('gives focus back to the button that opened it when it closes (it is unmounted, not hidden)', async () => {
    function Opener() {
      const [open, setOpen] = useState(false);
      return (
        <>
          <button type="button" onClick={() => setOpen(true)}>
            Remove
          </button>
          {open ? (
            <ConfirmDialog
              title="Remove it?"
              confirmLabel="Remove for good"
              onConfirm={() => setOpen(false)}
              onCancel={() => setOpen(false)}
            >
              Gone.
            </ConfirmDialog>
          ) : null}
        </>
      );
    }
    renderWithBridge(createTestBridge({}).bridge, <Opener />);
    const opener = screen.getByRole('button', { name: 'Remove' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'Remove it?' });
    screen.getByRole('button', { name: 'Cancel' }).focus();
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });
});
