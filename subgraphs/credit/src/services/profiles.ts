import { DomainError, type EntityManager, type UserError, userError } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { assessCredit, type CreditAssessment, type FactorNotes, type FactorPoints } from '../domain/scoring.ts';
import { CreditProfile, type CreditProfileRow } from '../entities.ts';
import { publishProfileRecalculated } from '../events.ts';
import { tenantOf, UUID } from './common.ts';
import { holdCustomer, isErasedCustomer } from './customer-changes.ts';
import { heldByCustomer } from './reads.ts';

/** New profiles are kept in RON unless the reviewer names another currency (Romania first). */
export const DEFAULT_CURRENCY = 'RON';

export interface RecalculateCreditProfileInput {
  customerId: string;
  factors: FactorPoints;
  annualRevenue: string;
  currencyCode?: string | null;
  notes?: FactorNotes | null;
}

/** The stored columns of a profile from an assessment. */
function profileColumns(tenantId: string, customerId: string, currency: string, assessment: CreditAssessment, actor: string) {
  const { factors, notes } = assessment;
  return {
    tenant_id: tenantId,
    customer_id: customerId,
    currency,
    registry_points: factors.registry,
    registry_note: notes.registry,
    financials_points: factors.financials,
    financials_note: notes.financials,
    behaviour_points: factors.behaviour,
    behaviour_note: notes.behaviour,
    insolvency_points: factors.insolvency,
    insolvency_note: notes.insolvency,
    litigation_points: factors.litigation,
    litigation_note: notes.litigation,
    annual_revenue: assessment.annualRevenue.toFixed(),
    score: assessment.score,
    tier: assessment.tier,
    credit_limit: assessment.limit.toFixed(),
    updated_by: actor,
    updated_at: new Date(),
  };
}

export interface ProfileWrite {
  customerId: string;
  currency: string;
  assessment: CreditAssessment;
  actor: string;
}

/**
 * One statement, so two first profiles of a customer at once cannot collide: `replace` lets the
 * later one win (a reviewer), `keep` leaves an existing profile alone (the seed).
 */
export async function writeProfile(em: EntityManager, write: ProfileWrite, onConflict: 'replace' | 'keep'): Promise<void> {
  const columns = profileColumns(tenantOf(em), write.customerId, write.currency, write.assessment, write.actor);
  const names = Object.keys(columns);
  const updates = names.filter((n) => n !== 'tenant_id' && n !== 'customer_id').map((n) => `${n} = excluded.${n}`);
  const action = onConflict === 'replace' ? `do update set ${updates.join(', ')}` : 'do nothing';
  await em.execute(
    `insert into credit_profile (${names.join(', ')}) values (${names.map(() => '?').join(', ')})
     on conflict (tenant_id, customer_id) ${action}`,
    Object.values(columns),
  );
}

/** Every problem at once: the customer id and the assessment's own checks. */
function assess(input: RecalculateCreditProfileInput): CreditAssessment {
  const errors: UserError[] = UUID.test(input.customerId)
    ? []
    : [userError('UNKNOWN_CUSTOMER', `no customer ${input.customerId}`, ['input', 'customerId'])];
  let assessment: CreditAssessment | null = null;
  try {
    assessment = assessCredit(input);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    errors.push(...error.errors);
  }
  if (errors.length || !assessment) throw DomainError.many(errors);
  return assessment;
}

/**
 * Creates or replaces a customer's profile from a reviewer's factors (for a merged customer's id,
 * the survivor's). The row lock serializes it with reservations on the same customer. A lower limit leaves existing holds in place; the
 * customer just has nothing available until they are released or consumed.
 */
export async function recalculateCreditProfile(em: EntityManager, actor: string, input: RecalculateCreditProfileInput): Promise<CreditProfileRow> {
  const assessment = assess(input);
  return em.transactional(async (tx) => {
    // a merged customer's profile is its survivor's; an erased one gets none again
    const customerId = await holdCustomer(tx, input.customerId.toLowerCase());
    if (await isErasedCustomer(tx, customerId)) {
      throw new DomainError('CUSTOMER_ERASED', 'this customer was erased: it gets no credit profile', ['input', 'customerId']);
    }
    const existing = await tx.findOne(CreditProfile, { customerId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const currency = input.currencyCode ?? existing?.currency ?? DEFAULT_CURRENCY;
    if (existing && existing.currency !== currency && (await heldByCustomer(tx, [customerId])).size) {
      throw new DomainError('CURRENCY_CHANGE_WITH_HELD_CREDIT', 'the currency cannot change while credit is held for open orders', [
        'input',
        'currencyCode',
      ]);
    }
    const previousLimit = existing?.limit ?? null;
    await writeProfile(tx, { customerId, currency, assessment, actor }, 'replace');
    const profile = await tx.findOneOrFail(CreditProfile, { customerId }, { refresh: true });
    await publishProfileRecalculated(tx, profile, previousLimit);
    return profile;
  });
}
