import { Decimal, DomainError, type UserError, userError } from '@comanda/kit';

/**
 * How a company's credit is judged (DOMAIN.md, Credit): five parts with fixed maxima add up to a
 * score of 0-100, the score gives a risk tier, and the tier with the annual revenue gives the
 * limit. Pure: no I/O, so every boundary is unit-tested.
 */

export type FactorKey = 'registry' | 'financials' | 'behaviour' | 'insolvency' | 'litigation';
export type RiskTier = 'BLOCKED' | 'LOW' | 'MEDIUM' | 'HIGH' | 'PREMIUM';

export type FactorPoints = Record<FactorKey, number>;
export type FactorNotes = Partial<Record<FactorKey, string | null>>;

interface FactorRule {
  key: FactorKey;
  name: string;
  maxPoints: number;
  /** why the points are what they are: all points, at least 60%, some, none */
  why: { full: string; good: string; weak: string; none: string };
}

export const FACTORS: readonly FactorRule[] = [
  {
    key: 'registry',
    name: 'Tax and registry status',
    maxPoints: 15,
    why: {
      full: 'active in the trade register, VAT-registered, filings up to date',
      good: 'active, with minor registry or tax filing issues',
      weak: 'registry or tax problems: late filings, inactive periods or tax debts',
      none: 'inactive, suspended or not found in the trade register',
    },
  },
  {
    key: 'financials',
    name: 'Financial results',
    maxPoints: 30,
    why: {
      full: 'profitable, with solid equity and liquidity',
      good: 'profitable or near break-even, with adequate equity',
      weak: 'losses or thin equity in the latest statements',
      none: 'no usable financial statements, or negative equity',
    },
  },
  {
    key: 'behaviour',
    name: 'Payment behaviour with us',
    maxPoints: 25,
    why: {
      full: 'pays our invoices on time',
      good: 'occasional short delays on our invoices',
      weak: 'frequent or long delays on our invoices',
      none: 'unpaid overdue invoices with us',
    },
  },
  {
    key: 'insolvency',
    name: 'Insolvency records',
    maxPoints: 20,
    why: {
      full: 'no insolvency proceedings on record',
      good: 'past insolvency proceedings, closed',
      weak: 'recent insolvency or restructuring proceedings',
      none: 'open insolvency proceedings',
    },
  },
  {
    key: 'litigation',
    name: 'Litigation',
    maxPoints: 10,
    why: {
      full: 'no lawsuits as defendant on record',
      good: 'a few minor lawsuits',
      weak: 'significant lawsuits pending',
      none: 'many or large lawsuits pending, or enforcement against it',
    },
  },
];

/** Lowest score of each tier, most trusted first; below the last one a customer is BLOCKED. */
export const TIER_FLOORS: readonly { tier: Exclude<RiskTier, 'BLOCKED'>; minScore: number }[] = [
  { tier: 'PREMIUM', minScore: 85 },
  { tier: 'HIGH', minScore: 70 },
  { tier: 'MEDIUM', minScore: 50 },
  { tier: 'LOW', minScore: 30 },
];

/**
 * A share of annual revenue per tier, capped, in the profile's currency (the caps are sized for
 * RON). Limits above 50,000 RON will need an approval task once approvals exist (DOMAIN.md).
 */
export const LIMIT_POLICY: Readonly<Record<RiskTier, { revenueShare: string; cap: string }>> = {
  BLOCKED: { revenueShare: '0', cap: '0' },
  LOW: { revenueShare: '0.02', cap: '10000' },
  MEDIUM: { revenueShare: '0.05', cap: '50000' },
  HIGH: { revenueShare: '0.08', cap: '150000' },
  PREMIUM: { revenueShare: '0.10', cap: '300000' },
};

const LIMIT_STEP = 100;
const NOTE_MAX = 500;
const MAX_REVENUE = new Decimal('1e14');

export function creditScore(points: FactorPoints): number {
  return FACTORS.reduce((total, f) => total + points[f.key], 0);
}

export function riskTier(score: number): RiskTier {
  return TIER_FLOORS.find((t) => score >= t.minScore)?.tier ?? 'BLOCKED';
}

/** The tier's share of revenue, rounded down to a whole 100, at most the tier's cap. */
export function creditLimit(tier: RiskTier, annualRevenue: Decimal | string): Decimal {
  const { revenueShare, cap } = LIMIT_POLICY[tier];
  const share = new Decimal(annualRevenue).times(revenueShare).div(LIMIT_STEP).floor().times(LIMIT_STEP);
  return Decimal.max(Decimal.min(share, cap), 0);
}

export interface CreditFactor {
  name: string;
  points: number;
  maxPoints: number;
  explanation: string;
}

function why(rule: FactorRule, points: number): string {
  if (points >= rule.maxPoints) return rule.why.full;
  if (points >= rule.maxPoints * 0.6) return rule.why.good;
  if (points > 0) return rule.why.weak;
  return rule.why.none;
}

/** Each part with the reason for its points; a reviewer's note, when given, follows the reason. */
export function explainFactors(points: FactorPoints, notes: FactorNotes, annualRevenue: string, currency: string): CreditFactor[] {
  return FACTORS.map((rule) => {
    const parts = [`${points[rule.key]} of ${rule.maxPoints} points: ${why(rule, points[rule.key])}`];
    if (rule.key === 'financials') parts.push(`annual revenue ${new Decimal(annualRevenue).toFixed(2)} ${currency}`);
    const note = notes[rule.key]?.trim();
    if (note) parts.push(note);
    return { name: rule.name, points: points[rule.key], maxPoints: rule.maxPoints, explanation: `${parts.join('; ')}.` };
  });
}

export interface CreditAssessmentInput {
  factors: FactorPoints;
  annualRevenue: string;
  notes?: FactorNotes | null;
}

export interface CreditAssessment {
  factors: FactorPoints;
  notes: Record<FactorKey, string | null>;
  annualRevenue: Decimal;
  score: number;
  tier: RiskTier;
  limit: Decimal;
}

const REVENUE_TEXT = /^\d{1,18}(\.\d{1,10})?$/;

/** Checks a reviewer's input (every problem at once) and derives score, tier and limit from it. */
export function assessCredit(input: CreditAssessmentInput): CreditAssessment {
  const errors: UserError[] = [];
  for (const rule of FACTORS) {
    const points = input.factors[rule.key];
    if (!Number.isInteger(points) || points < 0 || points > rule.maxPoints) {
      errors.push(userError('INVALID_FACTOR', `${rule.name} takes 0 to ${rule.maxPoints} points, got ${points}`, ['input', 'factors', rule.key]));
    }
  }
  const revenueText = input.annualRevenue.trim();
  const revenueOk = REVENUE_TEXT.test(revenueText) && new Decimal(revenueText).lt(MAX_REVENUE) && new Decimal(revenueText).decimalPlaces() <= 2;
  if (!revenueOk) {
    errors.push(userError('INVALID_AMOUNT', 'the annual revenue is a non-negative amount with at most 2 decimals', ['input', 'annualRevenue']));
  }
  const notes = {} as Record<FactorKey, string | null>;
  for (const rule of FACTORS) {
    const note = input.notes?.[rule.key]?.trim() || null;
    if (note && note.length > NOTE_MAX) {
      errors.push(userError('NOTE_TOO_LONG', `a note has at most ${NOTE_MAX} characters`, ['input', 'notes', rule.key]));
    }
    notes[rule.key] = note;
  }
  if (errors.length) throw DomainError.many(errors);

  const annualRevenue = new Decimal(revenueText);
  const score = creditScore(input.factors);
  const tier = riskTier(score);
  return { factors: { ...input.factors }, notes, annualRevenue, score, tier, limit: creditLimit(tier, annualRevenue) };
}
