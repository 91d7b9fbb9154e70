import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { parse } from '../../src/lib/decimal.ts';
import { connectivity } from '../../src/lib/online.svelte.ts';
import PaymentDialog from '../../src/screens/sale/PaymentDialog.svelte';

function open(due = '89.90') {
  const oncomplete = vi.fn();
  const oncancel = vi.fn();
  render(PaymentDialog, { due: parse(due), currency: 'RON', oncomplete, oncancel });
  return { oncomplete, oncancel };
}

describe('the payment dialog', () => {
  it('takes cash above the total and shows the change; Complete hands over the tender', async () => {
    const { oncomplete } = open();
    const amount = screen.getByLabelText(/Amount/) as HTMLInputElement;
    expect(amount.value).toBe('89.90');
    await fireEvent.input(amount, { target: { value: '100' } });
    await fireEvent.click(screen.getByTestId('cash'));
    expect(screen.getByTestId('change').textContent).toBe('10.10 RON');
    expect(screen.getByTestId('left').textContent).toBe('0.00');
    await fireEvent.click(screen.getByTestId('complete'));
    expect(oncomplete).toHaveBeenCalledWith([{ method: 'CASH', amount: parse('89.90'), tendered: parse('100') }]);
  });

  it('splits: part on the card, the rest in cash; Complete stays off until all is paid', async () => {
    const { oncomplete } = open('100.00');
    const amount = screen.getByLabelText(/Amount/) as HTMLInputElement;
    await fireEvent.input(amount, { target: { value: '30' } });
    await fireEvent.click(screen.getByTestId('card'));
    expect(screen.getByTestId('left').textContent).toBe('70.00');
    expect((screen.getByTestId('complete') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByLabelText(/Amount/) as HTMLInputElement).value).toBe('70.00');
    await fireEvent.click(screen.getByTestId('cash'));
    await fireEvent.click(screen.getByTestId('complete'));
    expect(oncomplete.mock.calls[0]![0]).toEqual([
      { method: 'CARD', amount: parse('30'), tendered: null },
      { method: 'CASH', amount: parse('70'), tendered: parse('70') },
    ]);
  });

  it('refuses a card above what is left, with a message', async () => {
    open('10.00');
    await fireEvent.input(screen.getByLabelText(/Amount/), { target: { value: '12' } });
    await fireEvent.click(screen.getByTestId('card'));
    expect(screen.getByRole('alert').textContent).toMatch(/at most what is left/);
  });

  it('offline: cash only', async () => {
    connectivity.online = false;
    try {
      open();
      expect((screen.getByTestId('card') as HTMLButtonElement).disabled).toBe(true);
      expect(screen.getByText(/Offline: cash only/)).toBeTruthy();
    } finally {
      connectivity.online = true;
    }
  });
});
