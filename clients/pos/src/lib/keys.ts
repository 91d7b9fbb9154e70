/**
 * Keyboard-first: every action has a key. Screens and dialogs push a layer of shortcuts while
 * they are shown; the newest layer answers first (a dialog before the screen under it). In a
 * text field only function keys, Alt/Ctrl combinations and Escape are shortcuts, so typing
 * (and a barcode scanner typing into the scan field) is never taken for a command.
 */

export type Shortcuts = Record<string, (event: KeyboardEvent) => void>;

const layers: Shortcuts[] = [];

/** "F2", "Alt+1", "Ctrl+Delete", "Escape", "ArrowUp", "+", "?" */
export function keyName(event: KeyboardEvent): string {
  const parts: string[] = [];
  if (event.ctrlKey) parts.push('Ctrl');
  if (event.altKey) parts.push('Alt');
  // Alt+digit arrives as a symbol on some layouts: the physical key is what the cashier pressed
  let key = event.key;
  if (event.altKey && /^Digit\d$/.test(event.code)) key = event.code.slice(5);
  else if (event.altKey && /^Key[A-Z]$/.test(event.code)) key = event.code.slice(3);
  if (key.length === 1) key = key.toUpperCase();
  parts.push(key);
  return parts.join('+');
}

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT' ||
    (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'checkbox' && (target as HTMLInputElement).type !== 'radio')
  );
}

export function pushShortcuts(shortcuts: Shortcuts): () => void {
  layers.push(shortcuts);
  return () => {
    const index = layers.lastIndexOf(shortcuts);
    if (index >= 0) layers.splice(index, 1);
  };
}

/** the window's keydown handler; true when a shortcut took the key */
export function handleKey(event: KeyboardEvent): boolean {
  const name = keyName(event);
  const command = /^F\d+$/.test(event.key) || event.altKey || event.ctrlKey || event.key === 'Escape';
  if (typingInto(event.target) && !command) return false;
  for (let i = layers.length - 1; i >= 0; i--) {
    const action = layers[i]![name];
    if (action) {
      event.preventDefault();
      action(event);
      return true;
    }
  }
  return false;
}

/** the key list of the help overlay and docs/pos.md */
export const KEYMAP: { where: string; keys: [string, string][] }[] = [
  {
    where: 'Everywhere',
    keys: [
      ['F1', 'keys (this list)'],
      ['Alt+1 … Alt+5', 'Sale, Orders, Dashboard, Shift, Queue'],
      ['Escape', 'close the dialog / back'],
    ],
  },
  {
    where: 'Sale',
    keys: [
      ['F2', 'scan field (a scanner types the code and Enter)'],
      ['F3', 'search products'],
      ['F4', 'customer: find or create'],
      ['F8', 'voucher code'],
      ['F9', 'pay'],
      ['↑ / ↓', 'select a cart line'],
      ['+ / −', 'one more / one less of the selected line'],
      ['Alt+Q', 'quantity of the selected line'],
      ['Alt+D', 'price override or % off (manager)'],
      ['Delete', 'remove the selected line'],
      ['Alt+V', 'void the sale (empty the cart)'],
    ],
  },
  {
    where: 'Payment',
    keys: [
      ['Alt+C', 'cash: what the customer handed over'],
      ['Alt+K', 'card (sandbox terminal) for what is left, or the amount typed'],
      ['Enter', 'add the tender / complete when paid'],
      ['Alt+X', 'remove the last tender'],
    ],
  },
  {
    where: 'Receipt',
    keys: [
      ['Alt+R', 'reprint (a COPY)'],
      ['Enter / F9', 'next sale'],
    ],
  },
  {
    where: 'Customer (F4)',
    keys: [
      ['type', 'search by name, email, phone or CUI'],
      ['Alt+N', 'new customer (a company’s CUI is checked)'],
    ],
  },
  {
    where: 'Shift',
    keys: [
      ['Alt+O', 'float, to open a shift'],
      ['Alt+M', 'cash in or out'],
      ['Alt+Z', 'counted cash, to close with the Z report'],
    ],
  },
];
