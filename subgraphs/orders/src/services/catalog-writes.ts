/**
 * Editing the catalog: products, their variants, VAT rate changes and the default list's
 * quantity tiers. Every change locks its product row (the event aggregate) and records
 * product.created or product.updated with the whole product in the same transaction.
 */
import { Decimal, DomainError, type EntityManager, type UserError, userError } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import {
  checkBarcode,
  checkName,
  checkPrice,
  checkSku,
  checkVatRate,
  duplicatesWithin,
  MAX_VARIANTS,
  normalizeSku,
  type ValidVariant,
  type VariantInput,
  validateVariant,
} from '../domain/catalog.ts';
import { UUID } from '../domain/place-order.ts';
import { type TierInput, validateTiers } from '../domain/price-tiers.ts';
import { checkChangeDate, earliestChangeDate, rateOn } from '../domain/vat-schedule.ts';
import { Product, type ProductRow, ProductVariant, type VariantRow } from '../entities.ts';
import { type ProductSnapshot, publishProduct } from '../events.ts';
import { idempotentRequest, priorResult, rememberResult } from './idempotency.ts';
import { replaceTiers, variantTiers } from './price-tiers.ts';
import { deleteVatPeriod, putVatPeriod, storeTimezones, vatPeriodsOf } from './vat-rates.ts';

export interface CatalogActor {
  tenantId: string;
  userId: string;
}

export interface CreateProductInput {
  name: string;
  variants: VariantInput[];
  idempotencyKey?: string | null;
}

export interface UpdateProductInput {
  productId: string;
  name?: string | null;
  archived?: boolean | null;
}

export interface AddVariantInput {
  productId: string;
  variant: VariantInput;
  idempotencyKey?: string | null;
}

/** Absent fields stay as they are; `barcode: null` removes the barcode. */
export interface UpdateVariantInput {
  variantId: string;
  sku?: string | null;
  barcode?: string | null;
  name?: string | null;
  price?: string | null;
  archived?: boolean | null;
}

export interface ScheduleVatRateInput {
  variantId: string;
  rate: string;
  validFrom: string;
}

export interface SetPriceTiersInput {
  variantId: string;
  tiers: TierInput[];
}

export type ProductResult = { product: ProductRow; replayed: boolean };
export type VariantResult = { variant: VariantRow; replayed: boolean };

/** The whole product as events carry it. */
export async function productSnapshot(em: EntityManager, product: ProductRow): Promise<ProductSnapshot> {
  const variants = await em.find(ProductVariant, { productId: product.id }, { orderBy: { position: 'asc', id: 'asc' }, refresh: true });
  const ids = variants.map((v) => v.id);
  const periods = await vatPeriodsOf(em, ids);
  const tiers = await variantTiers(em, ids);
  return {
    productId: product.id,
    name: product.name,
    archived: product.archivedAt !== null && product.archivedAt !== undefined,
    variants: variants.map((v) => ({
      variantId: v.id,
      sku: v.sku,
      barcode: v.barcode ?? null,
      name: v.name,
      price: new Decimal(v.price).toFixed(),
      archived: v.archivedAt !== null && v.archivedAt !== undefined,
      vatRates: (periods.get(v.id) ?? []).map((p) => ({ validFrom: p.validFrom, rate: new Decimal(p.rate).toFixed() })),
      priceTiers: (tiers.get(v.id) ?? []).map((t) => ({ minQuantity: t.minQuantity.toFixed(), unitPrice: t.unitPrice.toFixed() })),
    })),
  };
}

async function publish(em: EntityManager, tenantId: string, event: 'created' | 'updated', product: ProductRow): Promise<void> {
  await em.flush();
  await publishProduct(em, tenantId, event, await productSnapshot(em, product));
}

const productNotFound = (id: string) => new DomainError('PRODUCT_NOT_FOUND', `no product ${id}`, ['input', 'productId']);
const variantNotFound = (id: string) => new DomainError('VARIANT_NOT_FOUND', `no product variant ${id}`, ['input', 'variantId']);

async function lockedProduct(em: EntityManager, id: string): Promise<ProductRow> {
  const product = UUID.test(id) ? await em.findOne(Product, { id: id.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
  if (!product) throw productNotFound(id);
  return product;
}

/** A variant and its product, the product row locked (it is the aggregate). */
async function lockedVariant(em: EntityManager, id: string): Promise<{ variant: VariantRow; product: ProductRow }> {
  const found = UUID.test(id) ? await em.findOne(ProductVariant, { id: id.toLowerCase() }) : null;
  if (!found) throw variantNotFound(id);
  const product = await lockedProduct(em, found.productId);
  const variant = await em.findOne(ProductVariant, { id: found.id }, { refresh: true });
  if (!variant) throw variantNotFound(id);
  return { variant, product };
}

/** SKUs (upper-case) some other variant of the tenant already has. */
export async function takenSkus(em: EntityManager, skus: readonly string[], exceptVariantId: string | null = null): Promise<Set<string>> {
  if (!skus.length) return new Set();
  const rows = await em.execute<{ sku: string }[]>(
    `select upper(sku) as sku from product_variant where upper(sku) in (${skus.map(() => '?').join(', ')}) and id is distinct from ?::uuid`,
    [...skus, exceptVariantId],
  );
  return new Set(rows.map((r) => r.sku));
}

/** Barcodes a variant still sold already has (archived variants give theirs up). */
export async function takenBarcodes(em: EntityManager, barcodes: readonly string[], exceptVariantId: string | null = null): Promise<Set<string>> {
  if (!barcodes.length) return new Set();
  const rows = await em.execute<{ barcode: string }[]>(
    `select barcode from product_variant where archived_at is null and barcode in (${barcodes.map(() => '?').join(', ')})
        and id is distinct from ?::uuid`,
    [...barcodes, exceptVariantId],
  );
  return new Set(rows.map((r) => r.barcode));
}

/** SKU_TAKEN / BARCODE_TAKEN for new variants, each at its own field. */
async function uniquenessErrors(
  em: EntityManager,
  variants: readonly ValidVariant[],
  field: (i: number, name: string) => string[],
): Promise<UserError[]> {
  const skus = await takenSkus(
    em,
    variants.map((v) => v.sku),
  );
  const barcodes = await takenBarcodes(
    em,
    variants.flatMap((v) => (v.barcode ? [v.barcode] : [])),
  );
  const errors: UserError[] = [];
  variants.forEach((v, i) => {
    if (skus.has(v.sku)) errors.push(userError('SKU_TAKEN', `another variant already has SKU ${v.sku}`, field(i, 'sku')));
    if (v.barcode && barcodes.has(v.barcode))
      errors.push(userError('BARCODE_TAKEN', `another variant already has barcode ${v.barcode}`, field(i, 'barcode')));
  });
  return errors;
}

/** Inserts a checked variant with its creation VAT rate. */
export async function insertVariant(
  em: EntityManager,
  actor: CatalogActor,
  productId: string,
  position: number,
  v: ValidVariant,
): Promise<VariantRow> {
  const now = new Date();
  const variant = em.create(ProductVariant, {
    id: uuidv7(),
    tenantId: actor.tenantId,
    productId,
    position,
    sku: v.sku,
    barcode: v.barcode,
    name: v.name,
    price: v.price,
    archivedAt: null,
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  await putVatPeriod(em, actor.tenantId, variant.id, { validFrom: null, rate: v.vatRate }, actor.userId);
  return variant;
}

export function insertProduct(em: EntityManager, actor: CatalogActor, name: string): ProductRow {
  const now = new Date();
  return em.create(Product, { id: uuidv7(), tenantId: actor.tenantId, name: name.trim(), archivedAt: null, createdAt: now, updatedAt: now });
}

export async function createProduct(em: EntityManager, actor: CatalogActor, input: CreateProductInput): Promise<ProductResult> {
  const { idempotencyKey, ...body } = input;
  const request = idempotentRequest('createProduct', idempotencyKey, body);
  const prior = await priorResult(em, request);
  if (prior) {
    const product = await em.findOne(Product, { id: prior });
    if (product) return { product, replayed: true };
  }

  const errors: UserError[] = [];
  const nameError = checkName(input.name, ['input', 'name']);
  if (nameError) errors.push(nameError);
  if (!input.variants.length) errors.push(userError('NO_VARIANTS', 'a product is sold through at least one variant', ['input', 'variants']));
  if (input.variants.length > MAX_VARIANTS)
    errors.push(userError('TOO_MANY_VARIANTS', `a product has at most ${MAX_VARIANTS} variants`, ['input', 'variants']));
  const field = (i: number, name: string) => ['input', 'variants', String(i), name];
  const checked = input.variants.map((v, i) => validateVariant(v, input.name, ['input', 'variants', String(i)]));
  errors.push(...checked.flatMap((c) => c.errors));
  const valid = checked.map((c) => c.variant);
  errors.push(...duplicatesWithin(valid, field));
  if (errors.length) throw DomainError.many(errors);
  const variants = valid as ValidVariant[];
  const taken = await uniquenessErrors(em, variants, field);
  if (taken.length) throw DomainError.many(taken);

  const product = insertProduct(em, actor, input.name);
  await em.flush();
  for (const [position, v] of variants.entries()) await insertVariant(em, actor, product.id, position, v);
  await rememberResult(em, actor.tenantId, request, product.id);
  await publish(em, actor.tenantId, 'created', product);
  return { product, replayed: false };
}

export async function updateProduct(em: EntityManager, actor: CatalogActor, input: UpdateProductInput): Promise<ProductRow> {
  const product = await lockedProduct(em, input.productId);
  let changed = false;
  if (input.name !== undefined && input.name !== null) {
    const error = checkName(input.name, ['input', 'name']);
    if (error) throw DomainError.many([error]);
    if (input.name.trim() !== product.name) {
      product.name = input.name.trim();
      changed = true;
    }
  }
  if (input.archived !== undefined && input.archived !== null && input.archived !== Boolean(product.archivedAt)) {
    product.archivedAt = input.archived ? new Date() : null;
    changed = true;
  }
  if (!changed) return product;
  product.updatedAt = new Date();
  await publish(em, actor.tenantId, 'updated', product);
  return product;
}

export async function addVariant(em: EntityManager, actor: CatalogActor, input: AddVariantInput): Promise<VariantResult> {
  const { idempotencyKey, ...body } = input;
  const request = idempotentRequest('addVariant', idempotencyKey, body);
  const prior = await priorResult(em, request);
  if (prior) {
    const variant = await em.findOne(ProductVariant, { id: prior });
    if (variant) return { variant, replayed: true };
  }
  const product = await lockedProduct(em, input.productId);
  const checked = validateVariant(input.variant, product.name, ['input', 'variant']);
  if (!checked.variant) throw DomainError.many(checked.errors);
  const taken = await uniquenessErrors(em, [checked.variant], (_, name) => ['input', 'variant', name]);
  if (taken.length) throw DomainError.many(taken);
  const count = await em.count(ProductVariant, { productId: product.id });
  if (count >= MAX_VARIANTS) throw new DomainError('TOO_MANY_VARIANTS', `a product has at most ${MAX_VARIANTS} variants`, ['input', 'productId']);
  const [last] = await em.find(ProductVariant, { productId: product.id }, { orderBy: { position: 'desc' }, limit: 1 });
  const variant = await insertVariant(em, actor, product.id, (last?.position ?? -1) + 1, checked.variant);
  product.updatedAt = new Date();
  await rememberResult(em, actor.tenantId, request, variant.id);
  await publish(em, actor.tenantId, 'updated', product);
  return { variant, replayed: false };
}

export async function updateVariant(em: EntityManager, actor: CatalogActor, input: UpdateVariantInput): Promise<VariantRow> {
  const { variant, product } = await lockedVariant(em, input.variantId);
  const errors: UserError[] = [];
  const priceGiven = input.price !== undefined && input.price !== null;
  const next = {
    sku: input.sku === undefined || input.sku === null ? variant.sku : normalizeSku(input.sku),
    barcode: input.barcode === undefined ? (variant.barcode ?? null) : input.barcode?.trim() || null,
    name: input.name === undefined || input.name === null ? variant.name : input.name.trim(),
    archived: input.archived === undefined || input.archived === null ? Boolean(variant.archivedAt) : input.archived,
  };
  const push = (error: UserError | null) => error && errors.push(error);
  if (next.sku !== variant.sku) push(checkSku(next.sku, ['input', 'sku']));
  if (next.barcode !== (variant.barcode ?? null)) push(checkBarcode(next.barcode, ['input', 'barcode']));
  if (next.name !== variant.name) push(checkName(next.name, ['input', 'name']));
  if (priceGiven) push(checkPrice(input.price as string, ['input', 'price']));
  if (errors.length) throw DomainError.many(errors);
  if (next.sku !== variant.sku && (await takenSkus(em, [next.sku], variant.id)).size) {
    errors.push(userError('SKU_TAKEN', `another variant already has SKU ${next.sku}`, ['input', 'sku']));
  }
  // a variant sold again takes its barcode back: nobody else may have it by then
  if (next.barcode && !next.archived && (await takenBarcodes(em, [next.barcode], variant.id)).size) {
    errors.push(userError('BARCODE_TAKEN', `another variant already has barcode ${next.barcode}`, ['input', 'barcode']));
  }
  if (errors.length) throw DomainError.many(errors);

  const price = priceGiven ? new Decimal((input.price as string).trim()) : new Decimal(variant.price);
  const changed =
    next.sku !== variant.sku ||
    next.barcode !== (variant.barcode ?? null) ||
    next.name !== variant.name ||
    !price.eq(variant.price) ||
    next.archived !== Boolean(variant.archivedAt);
  if (!changed) return variant;
  variant.sku = next.sku;
  variant.barcode = next.barcode;
  variant.name = next.name;
  if (!price.eq(variant.price)) variant.price = price.toFixed();
  if (next.archived !== Boolean(variant.archivedAt)) variant.archivedAt = next.archived ? new Date() : null;
  variant.updatedAt = product.updatedAt = new Date();
  await publish(em, actor.tenantId, 'updated', product);
  return variant;
}

/**
 * Schedules a VAT rate from a date on (domain/vat-schedule.ts): a rate already starting that
 * day is replaced; the same rate as the one in force then is no change at all.
 */
export async function scheduleVatRate(em: EntityManager, actor: CatalogActor, input: ScheduleVatRateInput): Promise<VariantRow> {
  const { variant, product } = await lockedVariant(em, input.variantId);
  const earliest = earliestChangeDate(await storeTimezones(em), new Date());
  const errors = [checkVatRate(input.rate, ['input', 'rate']), checkChangeDate(input.validFrom, earliest, ['input', 'validFrom'])].filter(
    (e): e is UserError => e !== null,
  );
  if (errors.length) throw DomainError.many(errors);
  const rate = new Decimal(input.rate.trim()).toFixed();
  const periods = (await vatPeriodsOf(em, [variant.id])).get(variant.id) ?? [];
  const startsThatDay = periods.some((p) => p.validFrom === input.validFrom);
  const inForce = rateOn(periods, input.validFrom);
  if (!startsThatDay && inForce !== null && new Decimal(inForce).eq(rate)) return variant;
  await putVatPeriod(em, actor.tenantId, variant.id, { validFrom: input.validFrom, rate }, actor.userId);
  variant.updatedAt = product.updatedAt = new Date();
  await publish(em, actor.tenantId, 'updated', product);
  return variant;
}

/** Withdraws a change that has not started anywhere yet. */
export async function cancelVatRateChange(
  em: EntityManager,
  actor: CatalogActor,
  input: { variantId: string; validFrom: string },
): Promise<VariantRow> {
  const { variant, product } = await lockedVariant(em, input.variantId);
  const earliest = earliestChangeDate(await storeTimezones(em), new Date());
  const dateError = checkChangeDate(input.validFrom, earliest, ['input', 'validFrom']);
  if (dateError?.code === 'INVALID_DATE') throw DomainError.many([dateError]);
  if (dateError || input.validFrom === earliest) {
    throw new DomainError('VAT_RATE_IN_FORCE', `the rate from ${input.validFrom} already applies: schedule a new change instead`, [
      'input',
      'validFrom',
    ]);
  }
  if (!(await deleteVatPeriod(em, variant.id, input.validFrom))) {
    throw new DomainError('VAT_CHANGE_NOT_FOUND', `no rate change scheduled for ${input.validFrom}`, ['input', 'validFrom']);
  }
  variant.updatedAt = product.updatedAt = new Date();
  await publish(em, actor.tenantId, 'updated', product);
  return variant;
}

/** Replaces the variant's quantity tiers in the default price list (an empty list removes them). */
export async function setVariantPriceTiers(em: EntityManager, actor: CatalogActor, input: SetPriceTiersInput): Promise<VariantRow> {
  const { variant, product } = await lockedVariant(em, input.variantId);
  const { tiers, errors } = validateTiers(input.tiers, ['input', 'tiers']);
  if (errors.length) throw DomainError.many(errors);
  await replaceTiers(em, actor.tenantId, null, variant.id, tiers);
  variant.updatedAt = product.updatedAt = new Date();
  await publish(em, actor.tenantId, 'updated', product);
  return variant;
}
