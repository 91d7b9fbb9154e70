import { DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { validateNewCustomer } from '../src/domain/customer.ts';
import { checkRomanianCui } from '../src/domain/tax-id.ts';

describe('Romanian CUI check digit', () => {
  it.each(['4221306', '18547290', 'RO18547290', 'ro 4221306'])('accepts %s', (cui) => {
    expect(checkRomanianCui(cui).ok).toBe(true);
  });
  it.each(['12345678', '4221307', '1', 'RO', '12345678901', 'RO12A45'])('rejects %s', (cui) => {
    expect(checkRomanianCui(cui).ok).toBe(false);
  });
  it('normalizes the prefix and spacing', () => {
    expect(checkRomanianCui(' ro18547290 ')).toEqual({ ok: true, normalized: 'RO18547290' });
  });
});

describe('a new customer', () => {
  it('reports every problem at once', () => {
    try {
      validateNewCustomer({ kind: 'COMPANY', name: ' ', email: 'nope', taxId: '12345678' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).errors.map((e) => e.code).sort()).toEqual(['INVALID_EMAIL', 'INVALID_TAX_ID', 'NAME_REQUIRED']);
    }
  });
  it('needs a tax id for a company', () => {
    expect(() => validateNewCustomer({ kind: 'COMPANY', name: 'Firma SRL' })).toThrow(DomainError);
  });
  it('normalizes email and tags', () => {
    const c = validateNewCustomer({ kind: 'PERSON', name: ' Ana ', email: 'Ana@Example.RO', tags: ['VIP', 'vip', ' '] });
    expect(c).toMatchObject({ name: 'Ana', email: 'ana@example.ro', tags: ['vip'] });
  });
});
