/** A store's selling settings: the price basis of its prices and its pending-order window. */
import { DomainError, type EntityManager } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { checkTimeoutMinutes } from '../domain/pending-timeout.ts';
import { UUID } from '../domain/place-order.ts';
import { Store, type StoreRow } from '../entities.ts';
import { publishStoreSettings } from '../events.ts';

export interface UpdateStoreSettingsInput {
  storeId: string;
  /** VAT-inclusive shelf prices (POS/B2C) or net prices with VAT added (B2B); placed orders keep theirs */
  pricesIncludeVat?: boolean | null;
  /** absent: unchanged; null: never time out */
  pendingOrderTimeoutMinutes?: number | null;
}

export async function updateStoreSettings(em: EntityManager, input: UpdateStoreSettingsInput): Promise<StoreRow> {
  const store = UUID.test(input.storeId)
    ? await em.findOne(Store, { id: input.storeId.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!store) throw new DomainError('UNKNOWN_STORE', `no store ${input.storeId}`, ['input', 'storeId']);
  const changed: string[] = [];
  if (input.pricesIncludeVat !== undefined && input.pricesIncludeVat !== null && input.pricesIncludeVat !== store.pricesIncludeVat) {
    store.pricesIncludeVat = input.pricesIncludeVat;
    changed.push('pricesIncludeVat');
  }
  if (input.pendingOrderTimeoutMinutes !== undefined) {
    const minutes = input.pendingOrderTimeoutMinutes;
    const error = checkTimeoutMinutes(minutes, ['input', 'pendingOrderTimeoutMinutes']);
    if (error) throw DomainError.many([error]);
    if (minutes !== (store.pendingTimeoutMinutes ?? null)) {
      store.pendingTimeoutMinutes = minutes;
      changed.push('pendingOrderTimeoutMinutes');
    }
  }
  if (!changed.length) return store;
  await em.flush();
  await publishStoreSettings(em, store, changed);
  return store;
}
