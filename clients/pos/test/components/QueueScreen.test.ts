import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetDatabase } from '../../src/lib/offline/db.ts';
import { outbox } from '../../src/lib/offline/outbox.svelte.ts';
import QueueScreen from '../../src/screens/QueueScreen.svelte';
import { FakeServer, sale } from '../fakes.ts';

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDatabase();
  await outbox.load();
});

describe('the queue screen', () => {
  it('lists sales waiting offline, then shows a price conflict with the server’s message and sends it at the server’s price', async () => {
    const server = new FakeServer();
    server.online = false;
    outbox.use(server.api());
    await outbox.complete(sale('a', '10.00', true));
    await outbox.complete(sale('b', '10.00', true));
    render(QueueScreen);
    await waitFor(() => expect(screen.getAllByTestId('queued-sale')).toHaveLength(2));
    expect(screen.getByTestId('queue-status').textContent).toMatch(/offline/);

    server.listPrice.v1 = '11.00';
    server.online = true;
    await outbox.drain();
    await waitFor(() => expect(screen.getAllByTestId('conflict')).toHaveLength(2));
    expect(screen.getAllByTestId('conflict')[0]!.textContent).toMatch(/PRICE_CHANGED.*price is now 11.00/);
    expect(screen.getByText('Nothing is waiting: every sale reached the server.')).toBeTruthy();

    await fireEvent.click(screen.getAllByRole('button', { name: /Send at the server's prices/ })[0]!);
    await waitFor(() => expect(server.payments.size).toBe(1));
    expect(server.orders.size).toBe(1);
    await waitFor(() => expect(screen.getAllByTestId('conflict')).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole('table', { name: 'Sent sales' }).textContent).toContain('till said 10.00'));
    // a sale the server never placed may be dropped (after the cashier confirms)
    globalThis.confirm = () => true;
    await fireEvent.click(screen.getByRole('button', { name: 'Drop it' }));
    await waitFor(() => expect(screen.queryAllByTestId('conflict')).toHaveLength(0));
    expect(server.orders.size).toBe(1);
    outbox.use(null);
  });
});
