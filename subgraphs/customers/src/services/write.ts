import type { EntityManager } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import type { CustomerPatch, UpdatePlan, ValidCustomer } from '../domain/customer.ts';
import { planCustomerUpdate } from '../domain/customer.ts';
import { type AddressRow, Customer, type CustomerRow } from '../entities.ts';
import { type Actor, publishCreated, publishUpdated } from '../events.ts';
import type { CompanyRecord } from '../registry/index.ts';
import { applyAddressPlan, assignFields, recordConsent, toState } from './common.ts';

/** Shared by createCustomer and the import: a checked customer, its addresses, consent and created event. */
export async function insertCustomer(
  tx: EntityManager,
  actor: Actor,
  valid: ValidCustomer,
  extras: { idempotencyKey?: string | null; requestFingerprint?: string | null; official?: CompanyRecord | null } = {},
): Promise<{ customer: CustomerRow; addresses: AddressRow[] }> {
  const now = new Date();
  const { addresses, consent, ...fields } = valid;
  const customer = tx.create(Customer, {
    id: uuidv7(),
    tenantId: actor.tenantId,
    ...fields,
    status: 'ACTIVE',
    marketingConsent: false,
    vatRegistered: extras.official?.vatRegistered ?? null,
    registryActive: extras.official?.active ?? null,
    registryCheckedAt: extras.official ? now : null,
    idempotencyKey: extras.idempotencyKey ?? null,
    requestFingerprint: extras.requestFingerprint ?? null,
    createdAt: now,
  });
  const rows = applyAddressPlan(tx, actor.tenantId, customer.id, { next: addresses, inserted: addresses, updated: [], removed: [] }, []);
  if (consent) recordConsent(tx, actor, customer, consent);
  await publishCreated(tx, actor, customer);
  return { customer, addresses: rows };
}

/** Writes a planned update and its event; a plan that changes nothing writes nothing (a retry is a no-op). */
export async function applyUpdate(
  tx: EntityManager,
  actor: Actor,
  customer: CustomerRow,
  addresses: AddressRow[],
  plan: UpdatePlan,
): Promise<AddressRow[]> {
  if (!plan.changed.length) return addresses;
  assignFields(customer, plan.fields);
  customer.updatedAt = new Date();
  const next = applyAddressPlan(tx, actor.tenantId, customer.id, plan.addresses, addresses);
  if (plan.consent) recordConsent(tx, actor, customer, plan.consent);
  await publishUpdated(tx, actor, customer, plan.changed);
  return next;
}

/** Plans and applies a patch to a locked customer. */
export async function patchCustomer(tx: EntityManager, actor: Actor, customer: CustomerRow, addresses: AddressRow[], patch: CustomerPatch) {
  const plan = planCustomerUpdate(toState(customer, addresses), patch, { newId: uuidv7 });
  return { plan, addresses: await applyUpdate(tx, actor, customer, addresses, plan) };
}
