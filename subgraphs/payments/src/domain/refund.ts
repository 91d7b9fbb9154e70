import { type Decimal, type DecimalInput, DomainError } from '@comanda/kit';

export const REFUND_STATUSES = ['PENDING_APPROVAL', 'COMPLETED', 'REJECTED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** DOMAIN.md: a refund above 5,000 (in the order's currency) needs an approval. Per-tenant settings come later. */
export const REFUND_APPROVAL_THRESHOLD = '5000.00';

/** Above, not at: a refund of exactly the threshold goes through. */
export function needsApproval(amount: Decimal, threshold: DecimalInput = REFUND_APPROVAL_THRESHOLD): boolean {
  return amount.gt(threshold);
}

/** A refund's reason (and a rejection's) is kept for the audit trail: required, at most 500 characters. */
export function checkReason(text: string): string {
  const reason = text.trim();
  if (!reason || reason.length > 500)
    throw new DomainError('REFUND_REASON_REQUIRED', 'a reason of 1 to 500 characters is required', ['input', 'reason']);
  return reason;
}

export type RefundDecision = 'APPROVE' | 'REJECT';

export interface RefundFacts {
  status: RefundStatus;
  requestedBy: string;
  approvedBy: string | null;
}

/**
 * Whether a decision may be taken: 'decide' for a refund awaiting approval, 'repeat' when the
 * same decision was already taken (a retried click changes nothing). Four eyes: whoever asked
 * for a refund cannot approve it (they may withdraw it by rejecting).
 */
export function checkDecision(refund: RefundFacts, decision: RefundDecision, deciderId: string): 'decide' | 'repeat' {
  if (refund.status === 'PENDING_APPROVAL') {
    if (decision === 'APPROVE' && refund.requestedBy === deciderId) {
      throw new DomainError('APPROVER_IS_REQUESTER', 'a refund is approved by someone other than the person who asked for it', ['input', 'refundId']);
    }
    return 'decide';
  }
  const repeated = decision === 'APPROVE' ? refund.status === 'COMPLETED' && refund.approvedBy !== null : refund.status === 'REJECTED';
  if (repeated) return 'repeat';
  throw new DomainError(
    'REFUND_NOT_AWAITING_APPROVAL',
    `the refund is ${refund.status}: there is nothing to ${decision === 'APPROVE' ? 'approve' : 'reject'}`,
    ['input', 'refundId'],
  );
}
