import { useEffect, useRef, useState } from 'react';

/** What the keyboard can land on, for the fallback below. */
const tabbable =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Gives focus back to the control that opened a dialog once the dialog is gone. Mantine's
 * Modal returns focus only when its `opened` prop turns false; the console's dialogs are
 * mounted open and unmounted to close, so it never does and focus fell to the page's top.
 * The opener is the element focused when the dialog first rendered. If it is gone or
 * disabled by then (its row was removed, its view is busy), focus goes to the first control
 * of the nearest surviving row, section or main area; if something else took focus
 * meanwhile, it is left there.
 */
export function useReturnFocus(): void {
  const [opener] = useState(() => {
    const active = document.activeElement;
    return active instanceof HTMLElement && active !== document.body ? active : null;
  });
  const [places] = useState(() =>
    opener ? [opener.closest('tr'), opener.closest('section'), opener.closest('main')] : [],
  );
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    window.clearTimeout(timer.current); // mounted again (React's strict mode): still open
    return () => {
      // After the dialog's own elements have left the page (and its own focus handling ran).
      timer.current = window.setTimeout(() => {
        const now = document.activeElement;
        if (now && now !== document.body && now.isConnected) return;
        // A disabled opener (its view is busy with what the dialog asked for) cannot take focus.
        for (const target of [
          opener,
          ...places.map((place) => place?.querySelector<HTMLElement>(tabbable)),
        ]) {
          if (!target?.isConnected) continue;
          target.focus({ preventScroll: true });
          if (document.activeElement === target) return;
        }
      }, 0);
    };
  }, [opener, places]);
}
