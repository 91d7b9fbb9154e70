import { DomainError, type EntityManager, type Payload, runMutation } from '@comanda/kit';
import { planMerge } from '../domain/merge.ts';
import { ConsentChange, Customer, type CustomerRow } from '../entities.ts';
import { type Actor, publishMerged, publishUpdated } from '../events.ts';
import { moveActivity } from './activity.ts';
import { addressesOf, assignFields, lockCustomers, notFound, requireActive, toState } from './common.ts';

export interface MergeCustomersInput {
  survivorId: string;
  mergedId: string;
}

/**
 * Merges a duplicate into the customer that stays. The merged one becomes a tombstone pointing
 * to the survivor (its id keeps resolving, to the survivor), its addresses and consent history
 * move over, and `customer.merged` tells the other subgraphs to re-point what they hold. Merging
 * the same pair again returns the survivor and changes nothing.
 */
export function mergeCustomers(em: EntityManager, actor: Actor, input: MergeCustomersInput): Promise<Payload<{ customer: CustomerRow }>> {
  return runMutation(em, { customer: null }, async (tx) => {
    const survivorField = ['input', 'survivorId'];
    const mergedField = ['input', 'mergedId'];
    const survivorId = input.survivorId.toLowerCase();
    const mergedId = input.mergedId.toLowerCase();
    if (survivorId === mergedId) throw new DomainError('MERGE_SAME_CUSTOMER', 'a customer cannot be merged into itself', mergedField);
    const rows = await lockCustomers(tx, [survivorId, mergedId]);
    const merged = rows.get(mergedId);
    if (!merged) throw notFound(mergedField);
    const survivor = rows.get(survivorId);
    if (!survivor) throw notFound(survivorField);
    if (merged.status === 'MERGED' && merged.mergedIntoId === survivor.id) return { customer: survivor };
    if (merged.status === 'MERGED') {
      throw new DomainError('CUSTOMER_ALREADY_MERGED', `this customer was already merged into ${merged.mergedIntoId}`, mergedField);
    }
    if (survivor.status === 'MERGED') requireActive(survivor, survivorField);

    const addresses = await addressesOf(tx, [survivor.id, merged.id]);
    const plan = planMerge({ ...toState(survivor, addresses), status: survivor.status }, { ...toState(merged, addresses), status: merged.status });
    const now = new Date();
    assignFields(survivor, plan.fields);
    survivor.updatedAt = now;
    for (const row of addresses.filter((a) => a.customerId === merged.id)) {
      const move = plan.moved.find((m) => m.id === row.id);
      if (move) Object.assign(row, { customerId: survivor.id, defaultBilling: move.defaultBilling, defaultShipping: move.defaultShipping });
      else tx.remove(row);
    }
    if (plan.consent) {
      survivor.marketingConsent = plan.consent.granted;
      survivor.marketingConsentAt = plan.consent.at;
      survivor.marketingConsentSource = plan.consent.source;
    }
    await tx.nativeUpdate(ConsentChange, { customerId: merged.id }, { customerId: survivor.id });
    // customers merged into this one earlier now point straight at the survivor: one hop to resolve
    await tx.nativeUpdate(Customer, { mergedIntoId: merged.id }, { mergedIntoId: survivor.id });
    Object.assign(merged, { status: 'MERGED', mergedIntoId: survivor.id, mergedAt: now, updatedAt: now });
    await moveActivity(tx, actor, merged.id, survivor.id, now);

    await publishMerged(tx, actor, merged, survivor.id);
    if (plan.changed.length) await publishUpdated(tx, actor, survivor, plan.changed);
    return { customer: survivor };
  });
}
