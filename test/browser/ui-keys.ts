/**
 * Keyboard-only helpers of the browser tests: what has focus (role and accessible name as
 * Chromium's accessibility tree computes them, through the DevTools protocol), whether its
 * focus ring is visible, and bounded walks with Tab / Shift+Tab to a named control. The
 * tests built on them press keys only (`page.keyboard`); nothing here clicks or fills.
 */
import type { CDPSession, Page } from 'playwright-core';

/** The element that has focus, as a keyboard and screen-reader user meets it. */
export interface Focused {
  /** Chromium's computed role (`button`, `textbox`, `combobox`, `grid`, …), or `body`. */
  role: string;
  /** Chromium's computed accessible name ('' when it has none). */
  name: string;
  /** The element's tag, lower case. */
  tag: string;
  /** The accessible name of the dialog it is in, or null outside any dialog. */
  dialog: string | null;
  /** The landmark it is in: `nav`, `main`, `header`, or null. */
  landmark: string | null;
  /** Its computed outline (style and width) or box-shadow shows a ring. */
  ring: boolean;
  /** `outline` and `box-shadow` as computed, for messages. */
  ringStyle: string;
}

const sessions = new WeakMap<Page, CDPSession>();

async function cdp(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = await page.context().newCDPSession(page);
    sessions.set(page, session);
  }
  return session;
}

interface AxValue {
  value?: unknown;
}
interface AxNode {
  role?: AxValue;
  name?: AxValue;
  ignored?: boolean;
}

/** What has focus now: role and name from the accessibility tree, the rest from the DOM. */
export async function focused(page: Page): Promise<Focused> {
  const session = await cdp(page);
  const dom = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const outline =
      style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0 && style.outlineColor !== '';
    const shadow = style.boxShadow !== '' && style.boxShadow !== 'none';
    const dialog = element.closest('[role="dialog"]');
    let dialogName: string | null = null;
    if (dialog) {
      const labelledBy = dialog.getAttribute('aria-labelledby');
      dialogName =
        dialog.getAttribute('aria-label') ??
        (labelledBy ? (document.getElementById(labelledBy)?.textContent ?? '') : '');
    }
    const landmark = element.closest('nav, main, header');
    return {
      tag: element.tagName.toLowerCase(),
      dialog: dialogName,
      landmark: landmark ? landmark.tagName.toLowerCase() : null,
      ring: outline || shadow,
      ringStyle: `outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow: ${style.boxShadow}`,
    };
  });
  if (!dom)
    return { role: 'body', name: '', tag: 'body', dialog: null, landmark: null, ring: false, ringStyle: '' };
  const { result } = (await session.send('Runtime.evaluate', { expression: 'document.activeElement' })) as {
    result: { objectId?: string };
  };
  let role = '';
  let name = '';
  if (result.objectId) {
    // Chromium updates its accessibility tree after the DOM: a control just added (a view that
    // replaced the locked screen) can read as ignored and unnamed for a moment. Ask again, bounded.
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { nodes } = (await session.send('Accessibility.getPartialAXTree', {
        objectId: result.objectId,
        fetchRelatives: false,
      })) as { nodes: AxNode[] };
      const node = nodes[0];
      role = String(node?.role?.value ?? '');
      name = String(node?.name?.value ?? '').trim();
      if (!node?.ignored && role !== 'none' && name) break;
      await page.waitForTimeout(50);
    }
    await session.send('Runtime.releaseObject', { objectId: result.objectId });
  }
  return { role, name, ...dom };
}

/** One line for messages: `button "Unlock" (dialog "Unlock sample-model")`. */
export function show(focus: Focused): string {
  return `${focus.role} "${focus.name}"${focus.dialog !== null ? ` (dialog "${focus.dialog}")` : ''}${
    focus.landmark ? ` in ${focus.landmark}` : ''
  }`;
}

export interface Target {
  name: string | RegExp;
  /** Chromium's role, e.g. `button`, `textbox`. */
  role?: string;
  /** Only a control in this landmark. */
  landmark?: string;
}

function matches(focus: Focused, target: Target): boolean {
  const name = typeof target.name === 'string' ? focus.name === target.name : target.name.test(focus.name);
  return (
    name &&
    (target.role === undefined || focus.role === target.role) &&
    (target.landmark === undefined || focus.landmark === target.landmark)
  );
}

/** Every control the keyboard met on the way, for the tests' own checks. */
export const visited: Focused[] = [];

/**
 * Presses Tab (or Shift+Tab) until the focused control matches `target`, at most `max`
 * times. Every stop on the way must have a role, an accessible name and a visible focus
 * ring (an unlabelled or ringless control fails here, named). Returns the stops.
 */
export async function tabTo(
  page: Page,
  target: Target,
  options: { max?: number; back?: boolean } = {},
): Promise<Focused[]> {
  const max = options.max ?? 40;
  const stops: Focused[] = [];
  for (let press = 0; press < max; press += 1) {
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
    const focus = await focused(page);
    stops.push(focus);
    visited.push(focus);
    if (focus.role === 'body') continue; // past the end of the page: the next Tab starts again at the top
    if (!focus.name)
      throw new Error(`a control without an accessible name has focus: ${focus.tag} ${show(focus)}`);
    if (!focus.ring) throw new Error(`no visible focus ring on ${show(focus)}: ${focus.ringStyle}`);
    if (matches(focus, target)) return stops;
  }
  throw new Error(
    `${options.back ? 'Shift+Tab' : 'Tab'} did not reach ${target.role ?? 'control'} "${String(target.name)}" in ${max} presses; ` +
      `it met: ${stops.map(show).join(' → ')}`,
  );
}

/** Waits (bounded, no fixed sleep) until the focused control matches `target`; returns it. */
export async function focusBecomes(page: Page, target: Target, timeoutMs = 10_000): Promise<Focused> {
  const started = Date.now();
  let focus = await focused(page);
  while (!matches(focus, target)) {
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `focus did not move to "${String(target.name)}" within ${timeoutMs} ms; it is on ${show(focus)}`,
      );
    await page.waitForTimeout(50);
    focus = await focused(page);
  }
  return focus;
}

/**
 * The focus trap of the open dialog named `dialog`: Tab from its last control wraps to its
 * first, Shift+Tab from the first back to the last, and no stop leaves the dialog. Starts
 * and ends on the control focused now; returns the ring of stops (one cycle).
 */
export async function checkTrap(page: Page, dialog: string, max = 20): Promise<Focused[]> {
  const start = await focused(page);
  if (start.dialog !== dialog) throw new Error(`focus is not in dialog "${dialog}": ${show(start)}`);
  const cycle: Focused[] = [];
  for (let press = 0; press < max; press += 1) {
    await page.keyboard.press('Tab');
    const focus = await focused(page);
    if (focus.dialog !== dialog) throw new Error(`Tab left dialog "${dialog}" for ${show(focus)}`);
    if (!focus.name) throw new Error(`a control without an accessible name in "${dialog}": ${show(focus)}`);
    if (!focus.ring) throw new Error(`no visible focus ring on ${show(focus)}: ${focus.ringStyle}`);
    cycle.push(focus);
    if (focus.name === start.name && focus.role === start.role) break;
  }
  const back = cycle.length;
  // Two controls of one dialog with one name (a × and a Close button both "Close") cannot be told apart.
  const names = cycle.map((stop) => stop.name);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) throw new Error(`dialog "${dialog}" has two controls named ${twice.join(', ')}`);
  if (cycle[back - 1]?.name !== start.name)
    throw new Error(`Tab never came back to ${show(start)} in ${max} presses`);
  // The same ring backwards.
  for (let press = 0; press < back; press += 1) {
    await page.keyboard.press('Shift+Tab');
    const focus = await focused(page);
    if (focus.dialog !== dialog) throw new Error(`Shift+Tab left dialog "${dialog}" for ${show(focus)}`);
  }
  const end = await focused(page);
  if (end.name !== start.name)
    throw new Error(`Shift+Tab around the ring ended on ${show(end)}, not ${show(start)}`);
  return cycle;
}
