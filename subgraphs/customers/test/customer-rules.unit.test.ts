import { DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { type AddressState, planAddresses } from '../src/domain/addresses.ts';
import { NO_CONSENT, planConsent, withdrawnByErasure } from '../src/domain/consent.ts';
import { type CustomerState, planCustomerUpdate, validateNewCustomer } from '../src/domain/customer.ts';
import { ERASED_NAME, erasedFields, redactEventData } from '../src/domain/erasure.ts';
import { buildCustomerExport, EXPORT_FORMAT } from '../src/domain/export.ts';
import { type MergeSide, planMerge } from '../src/domain/merge.ts';

const now = new Date('2026-03-10T10:00:00Z');
let sequence = 0;
const newId = () => `new-${++sequence}`;

function codes(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error.errors.map((e) => e.code).sort();
    throw error;
  }
  return [];
}

const address = (id: string, line1: string, flags: Partial<AddressState> = {}): AddressState => ({
  id,
  label: null,
  line1,
  city: 'Cluj-Napoca',
  region: 'RO-CJ',
  postalCode: '400620',
  countryCode: 'RO',
  defaultBilling: false,
  defaultShipping: false,
  ...flags,
});

const ana = (extra: Partial<CustomerState> = {}): CustomerState => ({
  id: 'ana',
  kind: 'PERSON',
  name: 'Ana Popescu',
  email: 'ana@example.ro',
  phone: null,
  taxId: null,
  tags: ['loyalty'],
  notes: null,
  consent: NO_CONSENT,
  addresses: [],
  ...extra,
});

describe('addresses', () => {
  const home = address('home', 'Str. Fabricii 12', { defaultBilling: true, defaultShipping: true });
  const depot = address('depot', 'Str. Depozitului 3');

  it('makes the first address the default for billing and shipping', () => {
    const { plan, errors } = planAddresses([], { add: [{ line1: 'Str. A 1', city: 'Iași', countryCode: 'ro' }] }, newId);
    expect(errors).toEqual([]);
    expect(plan.next).toEqual([expect.objectContaining({ line1: 'Str. A 1', countryCode: 'RO', defaultBilling: true, defaultShipping: true })]);
  });

  it('moves a default to the address that asks for it, and only that one', () => {
    const { plan } = planAddresses([home, depot], { update: [{ id: 'depot', defaultShipping: true }] }, newId);
    expect(plan.next.map((a) => [a.id, a.defaultBilling, a.defaultShipping])).toEqual([
      ['home', true, false],
      ['depot', false, true],
    ]);
    expect(plan.updated.map((a) => a.id).sort()).toEqual(['depot', 'home']);
  });

  it('hands the default to the oldest remaining address when the default is removed', () => {
    const { plan } = planAddresses([home, depot], { remove: ['home'] }, newId);
    expect(plan.removed).toEqual(['home']);
    expect(plan.next).toEqual([{ ...depot, defaultBilling: true, defaultShipping: true }]);
  });

  it('does not add the same place twice (a retried request), whatever the spelling', () => {
    const { plan } = planAddresses(
      [home],
      { add: [{ line1: 'str. fabricii 12', city: 'CLUJ-NAPOCA', postalCode: '400 620', countryCode: 'RO' }] },
      newId,
    );
    expect(plan.inserted).toEqual([]);
    expect(plan.next).toHaveLength(1);
  });

  it('refuses to leave a customer without a default, two defaults at once, and unknown ids', () => {
    expect(planAddresses([home, depot], { update: [{ id: 'home', defaultBilling: false }] }, newId).errors.map((e) => e.code)).toEqual([
      'ADDRESS_DEFAULT_REQUIRED',
    ]);
    expect(
      planAddresses(
        [home, depot],
        {
          update: [
            { id: 'home', defaultBilling: false },
            { id: 'depot', defaultBilling: true },
          ],
        },
        newId,
      ).errors,
    ).toEqual([]);
    expect(
      planAddresses(
        [home],
        {
          add: [
            { line1: 'A 1', city: 'X', countryCode: 'RO', defaultBilling: true },
            { line1: 'B 2', city: 'X', countryCode: 'RO', defaultBilling: true },
          ],
        },
        newId,
      ).errors.map((e) => [e.code, e.field]),
    ).toEqual([['ADDRESS_DEFAULT_CONFLICT', ['input', 'addAddresses', '1', 'defaultBilling']]]);
    expect(planAddresses([home], { update: [{ id: 'nope' }], remove: ['gone'] }, newId).errors.map((e) => e.field)).toEqual([
      ['input', 'removeAddressIds', '0'],
      ['input', 'updateAddresses', '0', 'id'],
    ]);
  });

  it('checks each address: street, city, country and a Romanian postal code', () => {
    const { errors } = planAddresses(
      [],
      {
        add: [
          { line1: ' ', city: '', countryCode: 'Romania' },
          { line1: 'Str. B 2', city: 'Iași', countryCode: 'RO', postalCode: '7000' },
        ],
      },
      newId,
    );
    expect(errors.map((e) => `${e.code} ${e.field?.join('.')}`)).toEqual([
      'ADDRESS_LINE_REQUIRED input.addAddresses.0.line1',
      'ADDRESS_CITY_REQUIRED input.addAddresses.0.city',
      'INVALID_COUNTRY input.addAddresses.0.countryCode',
      'INVALID_POSTAL_CODE input.addAddresses.1.postalCode',
    ]);
  });
});

describe('marketing consent', () => {
  const given = { granted: true, at: new Date('2026-01-01T00:00:00Z'), source: 'POS' as const };

  it('records a statement with its time and source, now by default', () => {
    const errors: never[] = [];
    expect(planConsent(NO_CONSENT, { granted: true, source: 'WEB' }, now, ['c'], errors)).toEqual({ granted: true, at: now, source: 'WEB' });
    expect(planConsent(NO_CONSENT, { granted: false, source: 'PAPER_FORM' }, now, ['c'], errors)?.granted).toBe(false);
  });

  it('changes nothing when the same answer comes again from the same source', () => {
    expect(planConsent(given, { granted: true, source: 'POS' }, now, ['c'], [])).toBeNull();
    expect(planConsent(given, { granted: true, source: 'POS', at: given.at }, now, ['c'], [])).toBeNull();
    expect(planConsent(given, { granted: false, source: 'POS' }, now, ['c'], [])).toEqual({ granted: false, at: now, source: 'POS' });
  });

  it('refuses the erasure source and statements from the future', () => {
    const errors: { code: string }[] = [];
    planConsent(NO_CONSENT, { granted: true, source: 'ERASURE' }, now, ['c'], errors as never[]);
    planConsent(NO_CONSENT, { granted: true, source: 'WEB', at: new Date(now.getTime() + 3_600_000) }, now, ['c'], errors as never[]);
    expect(errors.map((e) => e.code)).toEqual(['INVALID_CONSENT_SOURCE', 'CONSENT_IN_FUTURE']);
  });

  it('is withdrawn by an erasure once', () => {
    expect(withdrawnByErasure(given, now)).toEqual({ granted: false, at: now, source: 'ERASURE' });
    expect(withdrawnByErasure({ granted: false, at: now, source: 'ERASURE' }, now)).toBeNull();
  });
});

describe('a new customer', () => {
  it('keeps the contract address as the default and adds more', () => {
    const c = validateNewCustomer(
      {
        kind: 'COMPANY',
        name: ' Firma   SRL ',
        taxId: 'RO18547290',
        address: { line1: 'Str. A 1', city: 'Cluj', countryCode: 'RO' },
        addresses: [{ line1: 'Depozit 2', city: 'Turda', countryCode: 'RO', defaultShipping: true }],
        marketingConsent: { granted: true, source: 'STAFF' },
        notes: ' pays on time ',
      },
      { now, newId },
    );
    expect(c).toMatchObject({ name: 'Firma SRL', notes: 'pays on time', consent: { granted: true, source: 'STAFF', at: now } });
    expect(c.addresses.map((a) => [a.line1, a.defaultBilling, a.defaultShipping])).toEqual([
      ['Str. A 1', true, false],
      ['Depozit 2', false, true],
    ]);
  });

  it('reports the contract address problems at input.address', () => {
    try {
      validateNewCustomer({ kind: 'PERSON', name: 'Ana', address: { line1: 'x', city: 'y', countryCode: 'ROU' } });
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).errors).toEqual([
        expect.objectContaining({ code: 'INVALID_COUNTRY', field: ['input', 'address', 'countryCode'] }),
      ]);
    }
  });

  it('checks a foreign tax id by shape only, a Romanian one by its check digit', () => {
    const foreign = validateNewCustomer({
      kind: 'COMPANY',
      name: 'GmbH',
      taxId: 'de 123 456 789',
      address: { line1: 'A 1', city: 'Berlin', countryCode: 'DE' },
    });
    expect(foreign.taxId).toBe('DE123456789');
    expect(codes(() => validateNewCustomer({ kind: 'COMPANY', name: 'X', taxId: '12345678' }))).toEqual(['INVALID_TAX_ID']);
  });

  it('limits notes and tags', () => {
    expect(codes(() => validateNewCustomer({ kind: 'PERSON', name: 'X', notes: 'n'.repeat(2001), tags: ['t'.repeat(41)] }))).toEqual([
      'NOTES_TOO_LONG',
      'TAG_TOO_LONG',
    ]);
  });
});

describe('updating a customer', () => {
  it('changes only what is given, clears what is null, and names the changes', () => {
    const plan = planCustomerUpdate(
      ana({ phone: '0721 000 111', notes: 'old' }),
      { name: 'Ana Maria Popescu', phone: null, addTags: ['VIP'] },
      { now, newId },
    );
    expect(plan.fields).toMatchObject({ name: 'Ana Maria Popescu', email: 'ana@example.ro', phone: null, notes: 'old', tags: ['loyalty', 'vip'] });
    expect(plan.changed).toEqual(['name', 'phone', 'tags']);
  });

  it('changes nothing when the patch repeats what is there', () => {
    const plan = planCustomerUpdate(
      ana(),
      { name: 'Ana Popescu', email: 'ANA@example.ro', addTags: ['loyalty'], removeTags: ['gone'] },
      { now, newId },
    );
    expect(plan.changed).toEqual([]);
  });

  it('adds and removes tags, refusing the same tag both ways', () => {
    expect(planCustomerUpdate(ana(), { addTags: ['b2b'], removeTags: ['Loyalty'] }, { now, newId }).fields.tags).toEqual(['b2b']);
    expect(codes(() => planCustomerUpdate(ana(), { addTags: ['x'], removeTags: ['X'] }, { now, newId }))).toEqual(['TAG_CONFLICT']);
  });

  it('reports every problem at once', () => {
    expect(
      codes(() =>
        planCustomerUpdate(
          ana(),
          { name: null, email: 'nope', phone: 'abc', kind: 'COMPANY', marketingConsent: { granted: true, source: 'ERASURE' } },
          { now, newId },
        ),
      ),
    ).toEqual(['INVALID_CONSENT_SOURCE', 'INVALID_EMAIL', 'INVALID_PHONE', 'NAME_REQUIRED', 'TAX_ID_REQUIRED']);
    expect(codes(() => planCustomerUpdate(ana(), { taxId: '4221307' }, { now, newId }))).toEqual(['INVALID_TAX_ID']);
  });

  it('records consent and address changes as changes', () => {
    const plan = planCustomerUpdate(
      ana(),
      { marketingConsent: { granted: true, source: 'EMAIL' }, addAddresses: [{ line1: 'Str. A 1', city: 'Cluj', countryCode: 'RO' }] },
      { now, newId },
    );
    expect(plan.changed).toEqual(['addresses', 'marketingConsent']);
    expect(plan.consent).toEqual({ granted: true, source: 'EMAIL', at: now });
  });
});

describe('merging', () => {
  const side = (extra: Partial<MergeSide>): MergeSide => ({ ...ana(), status: 'ACTIVE', ...extra });

  it('fills the survivor from the duplicate, combines tags, notes and new addresses', () => {
    const survivor = side({
      id: 's',
      phone: null,
      notes: 'A',
      tags: ['a'],
      addresses: [address('s1', 'Str. A 1', { defaultBilling: true, defaultShipping: true })],
    });
    const merged = side({
      id: 'm',
      email: 'other@example.ro',
      phone: '0721',
      notes: 'B',
      tags: ['a', 'b'],
      addresses: [address('m1', 'str. a 1', { defaultBilling: true, defaultShipping: true }), address('m2', 'Str. B 2')],
    });
    const plan = planMerge(survivor, merged);
    expect(plan.fields).toMatchObject({ email: 'ana@example.ro', phone: '0721', notes: 'A\n\nB', tags: ['a', 'b'] });
    expect(plan.dropped).toEqual(['m1']);
    expect(plan.moved).toEqual([expect.objectContaining({ id: 'm2', defaultBilling: false, defaultShipping: false })]);
    expect(plan.changed).toEqual(['phone', 'tags', 'notes', 'addresses']);
  });

  it("keeps the duplicate's defaults when the survivor had no address, and the newer consent", () => {
    const merged = side({
      id: 'm',
      addresses: [address('m1', 'Str. A 1', { defaultBilling: true, defaultShipping: true })],
      consent: { granted: true, at: now, source: 'WEB' },
    });
    const plan = planMerge(side({ id: 's', consent: { granted: false, at: new Date('2025-01-01'), source: 'POS' } }), merged);
    expect(plan.moved[0]).toMatchObject({ defaultBilling: true, defaultShipping: true });
    expect(plan.consent).toEqual({ granted: true, at: now, source: 'WEB' });
  });

  it('refuses a person with a company, two tax ids, an erased side and a customer with itself', () => {
    expect(codes(() => planMerge(side({ id: 's' }), side({ id: 'm', kind: 'COMPANY', taxId: '4221306' })))).toEqual(['MERGE_KIND_MISMATCH']);
    expect(
      codes(() => planMerge(side({ id: 's', kind: 'COMPANY', taxId: 'RO18547290' }), side({ id: 'm', kind: 'COMPANY', taxId: '4221306' }))),
    ).toEqual(['MERGE_TAX_ID_CONFLICT']);
    expect(
      codes(() => planMerge(side({ id: 's', kind: 'COMPANY', taxId: 'RO4221306' }), side({ id: 'm', kind: 'COMPANY', taxId: '4221306' }))),
    ).toEqual([]);
    expect(codes(() => planMerge(side({ id: 's' }), side({ id: 'm', status: 'ERASED' })))).toEqual(['CUSTOMER_ERASED']);
    expect(codes(() => planMerge(side({ id: 's' }), side({ id: 's' })))).toEqual(['MERGE_SAME_CUSTOMER']);
  });
});

describe('erasure and export', () => {
  it('leaves nothing that names the person', () => {
    expect(erasedFields('PERSON')).toEqual({ kind: 'PERSON', name: ERASED_NAME, email: null, phone: null, taxId: null, tags: [], notes: null });
  });

  it('redacts the personal fields of an event and keeps the rest', () => {
    expect(redactEventData({ customerId: 'x', kind: 'PERSON', name: 'Ana', taxId: 'RO1', changed: ['name'] })).toEqual({
      customerId: 'x',
      kind: 'PERSON',
      name: ERASED_NAME,
      taxId: null,
      changed: ['name'],
    });
  });

  it('builds a self-describing document', () => {
    const doc = buildCustomerExport(
      {
        customer: {
          id: 'x',
          kind: 'PERSON',
          status: 'ACTIVE',
          name: 'Ana',
          email: null,
          phone: null,
          taxId: null,
          tags: [],
          notes: null,
          marketingConsent: { granted: false, at: null, source: null },
          registry: null,
          createdAt: now,
          updatedAt: now,
          mergedAt: null,
          erasedAt: null,
        },
        addresses: [address('a', 'Str. A 1')],
        consentHistory: [],
        mergedRecords: [],
        events: [{ type: 'comanda.customers.customer.created.v1', occurredAt: now, data: { name: 'Ana' } }],
        purchases: [{ orderId: 'o', storeId: 's', placedAt: now, total: '12.50', currency: 'RON', cancelledAt: null }],
      },
      now,
    );
    expect(doc).toMatchObject({
      format: EXPORT_FORMAT,
      exportedAt: now.toISOString(),
      customer: { name: 'Ana' },
      addresses: [{ line1: 'Str. A 1' }],
      purchases: [{ orderId: 'o', total: '12.50', currency: 'RON', cancelledAt: null }],
    });
    expect(JSON.parse(JSON.stringify(doc)).events[0].occurredAt).toBe(now.toISOString());
  });
});
