import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleKey, keyName, pushShortcuts } from '../src/lib/keys.ts';

const key = (init: KeyboardEventInit, target: EventTarget = document.body) => {
  const event = new KeyboardEvent('keydown', { ...init, cancelable: true });
  Object.defineProperty(event, 'target', { value: target });
  return event;
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('keyboard shortcuts', () => {
  it('names keys the way the key map writes them', () => {
    expect(keyName(key({ key: 'F9' }))).toBe('F9');
    expect(keyName(key({ key: '¡', code: 'Digit1', altKey: true }))).toBe('Alt+1');
    expect(keyName(key({ key: 'ç', code: 'KeyC', altKey: true }))).toBe('Alt+C');
    expect(keyName(key({ key: 'Delete', ctrlKey: true }))).toBe('Ctrl+Delete');
    expect(keyName(key({ key: '+' }))).toBe('+');
  });
  it('the newest layer answers first; typing in a field is never a command, function keys are', () => {
    const below = vi.fn();
    const above = vi.fn();
    cleanups.push(pushShortcuts({ Escape: below, F9: below, '+': below }));
    cleanups.push(pushShortcuts({ Escape: above }));
    expect(handleKey(key({ key: 'Escape' }))).toBe(true);
    expect(above).toHaveBeenCalledTimes(1);
    expect(below).not.toHaveBeenCalled();

    const input = document.createElement('input');
    expect(handleKey(key({ key: '+' }, input))).toBe(false);
    expect(handleKey(key({ key: 'F9' }, input))).toBe(true);
    expect(below).toHaveBeenCalledTimes(1);
    expect(handleKey(key({ key: '+' }))).toBe(true);
    expect(below).toHaveBeenCalledTimes(2);
  });
});
