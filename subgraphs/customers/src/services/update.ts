import { type EntityManager, type Payload, runMutation } from '@comanda/kit';
import type { CustomerPatch } from '../domain/customer.ts';
import type { CustomerRow } from '../entities.ts';
import type { Actor } from '../events.ts';
import { addressesOf, lockCustomers, requireActive } from './common.ts';
import { patchCustomer } from './write.ts';

export interface UpdateCustomerInput extends CustomerPatch {
  customerId: string;
}

/**
 * Changes a customer under a row lock, so concurrent edits apply one after the other (their
 * patches combine: tags added by one are not dropped by the other). Repeating a request changes
 * nothing the second time and records no second event.
 */
export function updateCustomer(em: EntityManager, actor: Actor, input: UpdateCustomerInput): Promise<Payload<{ customer: CustomerRow }>> {
  return runMutation(em, { customer: null }, async (tx) => {
    const { customerId, ...patch } = input;
    const field = ['input', 'customerId'];
    const customer = requireActive((await lockCustomers(tx, [customerId])).get(customerId.toLowerCase()), field);
    await patchCustomer(tx, actor, customer, await addressesOf(tx, [customer.id]), patch);
    return { customer };
  });
}
