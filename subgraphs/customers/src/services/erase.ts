import { DomainError, type EntityManager, type Payload, runMutation } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { withdrawnByErasure } from '../domain/consent.ts';
import { checkErasureReason, erasedFields, redactEventData } from '../domain/erasure.ts';
import { Customer, CustomerAddress, type CustomerRow } from '../entities.ts';
import { type Actor, publishErased } from '../events.ts';
import { assignFields, consentOf, lockCustomers, notFound, recordConsent } from './common.ts';

export interface EraseCustomerInput {
  customerId: string;
  reason: string;
}

/**
 * GDPR erasure (art. 17): the customer keeps its id (orders, invoices and credit records refer
 * to it, and fiscal documents keep their own copy of the buyer, as the law requires) and loses
 * everything that names or reaches the person: name, contact details, tax id, tags, notes,
 * addresses; marketing consent is withdrawn. Customers merged into it are erased with it, and
 * the events this subgraph still holds about them are redacted. Erasing twice is refused.
 */
export function eraseCustomer(em: EntityManager, actor: Actor, input: EraseCustomerInput): Promise<Payload<{ customer: CustomerRow }>> {
  return runMutation(em, { customer: null }, async (tx) => {
    const field = ['input', 'customerId'];
    const reason = checkErasureReason(input.reason);
    const customer = (await lockCustomers(tx, [input.customerId])).get(input.customerId.toLowerCase());
    if (!customer) throw notFound(field);
    if (customer.status === 'ERASED') throw new DomainError('CUSTOMER_ALREADY_ERASED', 'this customer was already erased', field);
    if (customer.status === 'MERGED') {
      throw new DomainError('CUSTOMER_MERGED', `this customer was merged into ${customer.mergedIntoId}: erase that one`, field);
    }
    const tombstones = await tx.find(Customer, { mergedIntoId: customer.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const erased = [customer, ...tombstones];
    const now = new Date();

    const withdrawal = withdrawnByErasure(consentOf(customer), now);
    if (withdrawal) recordConsent(tx, actor, customer, withdrawal);
    for (const c of erased) {
      assignFields(c, erasedFields(c.kind));
      Object.assign(c, {
        marketingConsent: false,
        vatRegistered: null,
        registryActive: null,
        registryCheckedAt: null,
        // a hash of the creating request (name, email...) is still about the person
        requestFingerprint: null,
        erasedAt: now,
        updatedAt: now,
      });
    }
    Object.assign(customer, { status: 'ERASED', erasureReason: reason });
    const ids = erased.map((c) => c.id);
    await tx.nativeDelete(CustomerAddress, { customerId: { $in: ids } });

    const held = await tx.execute<{ id: string; data: Record<string, unknown> }[]>(
      `select id, data from outbox where aggregate_type = 'customer' and aggregate_id in (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const event of held) {
      await tx.execute('update outbox set data = ? where id = ?', [JSON.stringify(redactEventData(event.data)), event.id]);
    }
    for (const c of erased) await publishErased(tx, actor, c);
    return { customer };
  });
}
