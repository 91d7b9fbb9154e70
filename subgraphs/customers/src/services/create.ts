import { DomainError, type EntityManager, fingerprint, type Logger, type Payload, retryOnConflict, runMutation } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import type { NewAddressInput } from '../domain/addresses.ts';
import { type NewCustomer, validateNewCustomer } from '../domain/customer.ts';
import { Customer, type CustomerRow } from '../entities.ts';
import type { Actor } from '../events.ts';
import type { CompanyRecord, CompanyRegistry } from '../registry/index.ts';
import { lookupCompany } from './lookup.ts';
import { insertCustomer } from './write.ts';

export interface CreateCustomerInput extends NewCustomer {
  /** client-made key: the same key again returns the first customer */
  idempotencyKey?: string | null;
  /** take the official name, registered office and VAT status from the company register */
  fillFromRegistry?: boolean | null;
}

export type CreateCustomerPayload = Payload<{ customer: CustomerRow }> & { replayed: boolean };

export interface CreateDeps {
  registry: CompanyRegistry;
  log: Logger;
}

function checkKey(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const key = raw.trim();
  if (!key || key.length > 200) {
    throw new DomainError('INVALID_IDEMPOTENCY_KEY', 'the idempotency key is 1 to 200 characters', ['input', 'idempotencyKey']);
  }
  return key;
}

async function replayOf(em: EntityManager, key: string | null, requestFingerprint: string | null): Promise<CustomerRow | null> {
  if (!key) return null;
  const earlier = await em.findOne(Customer, { idempotencyKey: key }, { refresh: true });
  if (!earlier) return null;
  if (earlier.requestFingerprint !== requestFingerprint) {
    throw new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different customer', ['input', 'idempotencyKey']);
  }
  return earlier;
}

/**
 * The register's word wins for what it knows: the official name, the tax id (RO-prefixed when
 * VAT-registered) and the registered office, which becomes the default billing address (an
 * address given in the request stays, as the default shipping address).
 */
function withOfficial(input: CreateCustomerInput, official: CompanyRecord): NewCustomer {
  const office: NewAddressInput = { ...official.address, label: 'Registered office', defaultBilling: true, defaultShipping: !input.address };
  const given: NewAddressInput[] = input.address ? [{ ...input.address, defaultShipping: true }] : [];
  return { ...input, name: official.name, taxId: official.taxId, address: null, addresses: [office, ...given, ...(input.addresses ?? [])] };
}

async function officialRecord(input: CreateCustomerInput, deps: CreateDeps): Promise<CompanyRecord> {
  if (input.kind !== 'COMPANY') {
    throw new DomainError('REGISTRY_NEEDS_COMPANY', 'only companies are in the company register', ['input', 'fillFromRegistry']);
  }
  if (!input.taxId?.trim()) throw new DomainError('TAX_ID_REQUIRED', 'the register is searched by tax id', ['input', 'taxId']);
  return lookupCompany(deps.registry, input.taxId, deps.log, ['input', 'taxId']);
}

/**
 * Creates a customer. With an idempotency key a retry returns the first customer (`replayed`);
 * the register is asked outside the transaction, so a slow register holds no database locks.
 */
export async function createCustomer(em: EntityManager, actor: Actor, input: CreateCustomerInput, deps: CreateDeps): Promise<CreateCustomerPayload> {
  try {
    const key = checkKey(input.idempotencyKey);
    const { idempotencyKey: _key, ...body } = input;
    const requestFingerprint = key ? fingerprint(body) : null;
    const first = await replayOf(em, key, requestFingerprint);
    if (first) return { customer: first, replayed: true, userErrors: [] };
    const official = input.fillFromRegistry ? await officialRecord(input, deps) : null;
    const valid = validateNewCustomer(official ? withOfficial(input, official) : input, { newId: uuidv7 });
    return await retryOnConflict(async () => {
      const result = await runMutation(em, { customer: null, replayed: null }, async (tx) => {
        const raced = await replayOf(tx, key, requestFingerprint);
        if (raced) return { customer: raced, replayed: true };
        const { customer } = await insertCustomer(tx, actor, valid, { idempotencyKey: key, requestFingerprint, official });
        return { customer, replayed: false };
      });
      return { ...result, replayed: result.replayed ?? false };
    });
  } catch (error) {
    if (error instanceof DomainError) return { customer: null, replayed: false, userErrors: error.errors };
    throw error;
  }
}
