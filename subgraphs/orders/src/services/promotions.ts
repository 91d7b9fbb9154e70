/**
 * Promotions and vouchers: editing them (managers), claiming a use when an order is placed and
 * giving it back when the order is cancelled.
 *
 * The usage limit is exact under concurrency because a use is claimed with one guarded update
 * (`times_used = times_used + 1 where times_used < usage_limit`): concurrent claims queue on the
 * promotion's row lock, and each re-reads the count the previous one committed before its guard
 * is evaluated, so the (limit + 1)th claim finds no row and its order is refused with
 * PROMOTION_EXHAUSTED. A check constraint says the same in the database. The claim commits or
 * rolls back with the order.
 */
import { type Connection, Decimal, DomainError, type EntityManager, fingerprint, keysetCursor, pageSize, toConnection } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { UUID } from '../domain/place-order.ts';
import {
  type AppliedPromotion,
  exhausted,
  normalizeCode,
  type PromotionFields,
  type PromotionKind,
  type Promotion as PromotionRules,
  validatePromotion,
} from '../domain/promotions.ts';
import { type OrderRow, Promotion, PromotionRedemption, type PromotionRow, type RedemptionRow } from '../entities.ts';
import { publishPromotion } from '../events.ts';
import type { CatalogActor } from './catalog-writes.ts';

export interface CreatePromotionInput {
  code: string;
  name: string;
  kind: PromotionKind;
  value: string;
  minOrderAmount?: string | null;
  maxDiscount?: string | null;
  validFrom?: Date | null;
  validUntil?: Date | null;
  usageLimit?: number | null;
  stackable?: boolean | null;
  active?: boolean | null;
}

/** Absent fields stay; an explicit null clears a nullable one (no minimum, no cap, no end, no limit). */
export type UpdatePromotionInput = { promotionId: string } & Partial<Omit<CreatePromotionInput, 'code' | 'kind'>>;

export type PromotionResult = { promotion: PromotionRow; replayed: boolean };

export function rulesOf(row: PromotionRow): PromotionRules {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    value: row.value,
    minOrderAmount: row.minOrderAmount ?? null,
    maxDiscount: row.maxDiscount ?? null,
    validFrom: row.validFrom ?? null,
    validUntil: row.validUntil ?? null,
    usageLimit: row.usageLimit ?? null,
    timesUsed: row.timesUsed,
    stackable: row.stackable,
    active: row.active,
  };
}

const trimmed = (value: string | null | undefined) => (value === undefined || value === null ? null : value.trim());

function fieldsOf(input: CreatePromotionInput): PromotionFields {
  return {
    code: normalizeCode(input.code),
    name: input.name.trim(),
    kind: input.kind,
    value: input.value.trim(),
    minOrderAmount: trimmed(input.minOrderAmount),
    maxDiscount: trimmed(input.maxDiscount),
    validFrom: input.validFrom ?? null,
    validUntil: input.validUntil ?? null,
    usageLimit: input.usageLimit ?? null,
    stackable: input.stackable ?? false,
    active: input.active ?? true,
  };
}

const plainOrNull = (value: string | null) => (value === null ? null : new Decimal(value).toFixed());

/** Valid fields with their decimals written one way ("10.00" is 10), for storing and comparing. */
function normalized(fields: PromotionFields): PromotionFields {
  return {
    ...fields,
    value: new Decimal(fields.value).toFixed(),
    minOrderAmount: plainOrNull(fields.minOrderAmount),
    maxDiscount: plainOrNull(fields.maxDiscount),
  };
}

const fingerprintOf = (fields: PromotionFields) =>
  fingerprint({ ...normalized(fields), validFrom: fields.validFrom?.toISOString() ?? null, validUntil: fields.validUntil?.toISOString() ?? null });

/** The code is the natural key: the same create again is a replay, another promotion under it PROMOTION_CODE_TAKEN. */
export async function createPromotion(em: EntityManager, actor: CatalogActor, input: CreatePromotionInput): Promise<PromotionResult> {
  const errors = validatePromotion(fieldsOf(input), 0);
  if (errors.length) throw DomainError.many(errors);
  const fields = normalized(fieldsOf(input));
  const requestFingerprint = fingerprintOf(fields);
  const existing = await em.findOne(Promotion, { code: fields.code });
  if (existing?.requestFingerprint === requestFingerprint) return { promotion: existing, replayed: true };
  if (existing) throw new DomainError('PROMOTION_CODE_TAKEN', `another promotion has the code ${fields.code}`, ['input', 'code']);
  const now = new Date();
  const promotion = em.create(Promotion, {
    id: uuidv7(),
    tenantId: actor.tenantId,
    ...fields,
    timesUsed: 0,
    requestFingerprint,
    createdAt: now,
    updatedAt: now,
  });
  // a concurrent twin loses on the unique code here, before the outbox row: retryOnConflict replays it
  await em.flush();
  await publishPromotion(em, promotion, 'created');
  return { promotion, replayed: false };
}

export async function updatePromotion(em: EntityManager, input: UpdatePromotionInput): Promise<PromotionRow> {
  const promotion = UUID.test(input.promotionId)
    ? await em.findOne(Promotion, { id: input.promotionId.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!promotion) throw new DomainError('PROMOTION_NOT_FOUND', `no promotion ${input.promotionId}`, ['input', 'promotionId']);
  const has = (key: keyof UpdatePromotionInput) => key in input && input[key] !== undefined;
  const current = rulesOf(promotion);
  const fields: PromotionFields = {
    code: current.code,
    kind: current.kind,
    name: has('name') && input.name !== null ? (input.name as string).trim() : current.name,
    value: has('value') && input.value !== null ? (input.value as string).trim() : current.value,
    minOrderAmount: has('minOrderAmount') ? trimmed(input.minOrderAmount) : current.minOrderAmount,
    maxDiscount: has('maxDiscount') ? trimmed(input.maxDiscount) : current.maxDiscount,
    validFrom: has('validFrom') ? (input.validFrom ?? null) : current.validFrom,
    validUntil: has('validUntil') ? (input.validUntil ?? null) : current.validUntil,
    usageLimit: has('usageLimit') ? (input.usageLimit ?? null) : current.usageLimit,
    stackable: has('stackable') && input.stackable !== null ? Boolean(input.stackable) : current.stackable,
    active: has('active') && input.active !== null ? Boolean(input.active) : current.active,
  };
  const errors = validatePromotion(fields, promotion.timesUsed);
  if (errors.length) throw DomainError.many(errors);
  const { id: _id, timesUsed: _used, ...stored } = current;
  if (fingerprintOf(stored) === fingerprintOf(fields)) return promotion;
  Object.assign(promotion, normalized(fields), { updatedAt: new Date() });
  await em.flush();
  await publishPromotion(em, promotion, 'updated');
  return promotion;
}

/** The promotions behind an order's codes (normalized), by code. */
export async function promotionsByCodes(em: EntityManager, codes: readonly string[]): Promise<Map<string, PromotionRules>> {
  if (!codes.length) return new Map();
  const rows = await em.find(Promotion, { code: { $in: [...codes] } }, { refresh: true });
  return new Map(rows.map((row) => [row.code, rulesOf(row)]));
}

/**
 * Claims one use of each applied promotion for the order, in id order (so two orders with the
 * same stacked codes take the row locks in the same order), or refuses the order.
 */
export async function claimUses(em: EntityManager, applied: readonly AppliedPromotion[], codes: readonly string[]): Promise<void> {
  for (const { promotion } of [...applied].sort((a, b) => (a.promotion.id < b.promotion.id ? -1 : 1))) {
    const rows = await em.execute<{ id: string }[]>(
      `update promotion set times_used = times_used + 1
        where id = ? and active and (usage_limit is null or times_used < usage_limit) returning id`,
      [promotion.id],
    );
    if (!rows.length) {
      const { code, message } = exhausted(promotion.code);
      throw new DomainError(code, message, ['input', 'promotionCodes', String(codes.indexOf(promotion.code))]);
    }
  }
}

/** What each promotion took off the order, kept with the order (Order.promotions, order.placed). */
export function recordRedemptions(em: EntityManager, order: OrderRow, applied: readonly AppliedPromotion[]): RedemptionRow[] {
  return applied.map(({ promotion, amount }, position) =>
    em.create(PromotionRedemption, {
      id: uuidv7(),
      tenantId: order.tenantId,
      promotionId: promotion.id,
      orderId: order.id,
      position,
      code: promotion.code,
      name: promotion.name,
      kind: promotion.kind,
      value: promotion.value,
      amount: amount.toFixed(2),
      createdAt: order.createdAt,
      releasedAt: null,
    }),
  );
}

/**
 * A cancelled order gives its uses back, in the cancelling transaction: the redemption stays
 * (the order's history still shows its discount) marked released, and the promotion's count
 * goes down. A completed order keeps its use, also when it is refunded later.
 */
export async function releaseUses(em: EntityManager, orderId: string): Promise<number> {
  const released = await em.execute<{ promotion_id: string }[]>(
    'update promotion_redemption set released_at = now() where order_id = ? and released_at is null returning promotion_id',
    [orderId],
  );
  for (const id of released.map((r) => r.promotion_id).sort()) {
    await em.execute('update promotion set times_used = times_used - 1 where id = ? and times_used > 0', [id]);
  }
  return released.length;
}

export async function redemptionsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<RedemptionRow[]> {
  return em.find(PromotionRedemption, { orderId: { $in: [...orderIds] } }, { orderBy: { orderId: 'asc', position: 'asc' } });
}

export async function promotionsByIds(em: EntityManager, ids: readonly string[]): Promise<PromotionRow[]> {
  return em.find(Promotion, { id: { $in: [...ids] } });
}

export async function promotionByCode(em: EntityManager, code: string): Promise<PromotionRow | null> {
  return em.findOne(Promotion, { code: normalizeCode(code) });
}

/** By code, keyset-paged; `search` matches a code or a name; `activeOnly` leaves out switched-off ones. */
export async function findPromotions(
  em: EntityManager,
  options: { first?: number | null; after?: string | null; search?: string | null; activeOnly?: boolean | null },
): Promise<Connection<PromotionRow>> {
  const limit = pageSize(options.first);
  const cursor = keysetCursor(options.after, 'text');
  const conditions: string[] = [];
  const params: unknown[] = [];
  const term = options.search?.trim();
  if (term) {
    conditions.push(`(code ilike ? or name ilike ?)`);
    const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(like, like);
  }
  if (options.activeOnly) conditions.push('active');
  if (cursor) {
    conditions.push('(code, id) > (?, ?::uuid)');
    params.push(...cursor);
  }
  const where = conditions.length ? `where ${conditions.join(' and ')}` : '';
  const rows = await em.execute<Record<string, unknown>[]>(`select * from promotion ${where} order by code, id limit ?`, [...params, limit + 1]);
  return toConnection(
    rows.map((row) => em.map(Promotion, row)),
    limit,
    (p) => [p.code, p.id],
  );
}
