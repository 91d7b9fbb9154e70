/** The order state machine as data (DOMAIN.md, Lifecycle). */
export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PROCESSING', 'COMPLETED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const OPEN_STATUSES: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'PROCESSING'];

export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
};

/**
 * `noop` when the order already has the target status: a retried or racing transition is
 * harmless and appends no event.
 */
export type TransitionDecision = 'apply' | 'noop' | 'invalid';

export function decideTransition(from: OrderStatus, to: OrderStatus): TransitionDecision {
  if (from === to) return 'noop';
  return TRANSITIONS[from].includes(to) ? 'apply' : 'invalid';
}

/** The outbox event name of a transition: order.confirmed, order.cancelled, ... */
export function transitionEventName(to: OrderStatus): string {
  return to.toLowerCase();
}
