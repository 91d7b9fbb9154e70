import { DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { dueDateFor, eInvoiceStatusFor, invoiceStatusAt, isOverdue } from '../src/domain/invoice.ts';

const now = new Date('2025-09-15T10:00:00Z');
const yesterday = new Date('2025-09-14T10:00:00Z');
const tomorrow = new Date('2025-09-16T10:00:00Z');

describe('the overdue rule', () => {
  it('makes an open invoice past its due date OVERDUE', () => {
    expect(isOverdue('ISSUED', yesterday, now)).toBe(true);
    expect(isOverdue('PARTIALLY_PAID', yesterday, now)).toBe(true);
    expect(invoiceStatusAt('ISSUED', yesterday, now)).toBe('OVERDUE');
  });
  it('leaves paid, cancelled and draft invoices alone', () => {
    for (const status of ['PAID', 'CANCELLED', 'DRAFT'] as const) {
      expect(isOverdue(status, yesterday, now)).toBe(false);
      expect(invoiceStatusAt(status, yesterday, now)).toBe(status);
    }
  });
  it('is not overdue before or exactly at the due date', () => {
    expect(invoiceStatusAt('ISSUED', tomorrow, now)).toBe('ISSUED');
    expect(isOverdue('ISSUED', now, now)).toBe(false);
  });
});

describe('e-invoice status', () => {
  it('is DRAFT for a Romanian company buyer, NOT_REQUIRED otherwise', () => {
    expect(eInvoiceStatusFor('RO', 'COMPANY')).toBe('DRAFT');
    expect(eInvoiceStatusFor('ro', 'COMPANY')).toBe('DRAFT');
    expect(eInvoiceStatusFor('RO', 'PERSON')).toBe('NOT_REQUIRED');
    expect(eInvoiceStatusFor('DE', 'COMPANY')).toBe('NOT_REQUIRED');
  });
});

describe('due date', () => {
  it('adds the payment terms in days', () => {
    expect(dueDateFor(now, 30).toISOString()).toBe('2025-10-15T10:00:00.000Z');
    expect(dueDateFor(now, 0)).toEqual(now);
  });
  it.each([-1, 1.5, 366])('refuses %s days', (days) => {
    expect(() => dueDateFor(now, days)).toThrow(DomainError);
  });
});
