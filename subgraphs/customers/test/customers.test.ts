import { randomUUID } from 'node:crypto';
import type { Identity } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, gql, gqlCountingSql, other, subgraphGql, tokenFor } from '../../../tests/support/client.ts';

/**
 * The customers subgraph through the gateway (a demo manager unless told), with the database
 * checked as the superuser. Every test makes its own customers, tagged with a fresh tag, so
 * tests sharing the stack never see each other's.
 */

const FIELDS = `id kind status name email phone taxId tags notes updatedAt
  address { line1 city }
  addresses { id label line1 city postalCode countryCode defaultBilling defaultShipping }
  defaultBillingAddress { id } defaultShippingAddress { id }
  marketingConsent { granted at source }
  marketingConsentHistory { granted source at }
  registration { vatRegistered active checkedAt }`;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { replayed customer { ${FIELDS} } userErrors { field message code } } }`;
const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { ${FIELDS} } userErrors { field message code } } }`;
const GET = `query($id: ID!) { customer(id: $id) { ${FIELDS} } }`;
const SEARCH = `query($f: CustomerFilter) { customers(first: 50, filter: $f) { nodes { id name } } }`;
const IMPORT = `mutation($input: ImportCustomersInput!) { importCustomers(input: $input) {
  report { dryRun rows created updated unchanged rejected ignoredColumns
           accepted { row action customer { id name email phone tags } } problems { row code message column } }
  userErrors { field message code } } }`;
const DUPLICATES = `query($id: ID!) { customerDuplicates(customerId: $id) { customer { id name } score reasons } }`;
const MERGE = `mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { customer { ${FIELDS} } userErrors { field message code } } }`;
const ERASE = `mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) { customer { ${FIELDS} erasedAt } userErrors { field message code } } }`;
const EXPORT = `query($id: ID!) { exportCustomerData(customerId: $id) }`;
const LOOKUP = `query($t: String!) { lookupCompany(taxId: $t) { company { taxId name registrationNumber address { line1 city region postalCode countryCode } vatRegistered active } userErrors { field code } } }`;

const freshTag = () => `t${randomUUID().slice(0, 8)}`;

/** A valid Romanian CUI no other test uses (the check digit is computed as DOMAIN.md says). */
function freshCui(): string {
  const body = String(100_000_000 + Math.floor(Math.random() * 899_999_999));
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * [7, 5, 3, 2, 1, 7, 5, 3, 2][i]!, 0);
  return body + String(((sum * 10) % 11) % 10);
}
const as = async (role: Identity['roles'][number], tenant?: string) => ({ token: await tokenFor({ role, tenant }) });
const codes = (payload: { userErrors: { code: string }[] }) => payload.userErrors.map((e) => e.code);

async function create(input: Record<string, unknown>, options?: { token: string }) {
  const res = await gql(CREATE, { input: { kind: 'PERSON', ...input } }, options);
  if (res.errors) throw new Error(`createCustomer failed: ${JSON.stringify(res.errors)}`);
  if (!res.data?.createCustomer) throw new Error(`createCustomer failed: ${JSON.stringify(res)}`);
  return res.data.createCustomer;
}

async function created(input: Record<string, unknown>) {
  const payload = await create(input);
  expect(payload.userErrors).toEqual([]);
  return payload.customer;
}

async function update(input: Record<string, unknown>, options?: { token: string }) {
  const res = await gql(UPDATE, { input }, options);
  if (!res.data?.updateCustomer) return res;
  return res.data.updateCustomer;
}

const events = (customerId: string) =>
  adminQuery<{ type: string; data: Record<string, any>; sequence: string }>(
    'select type, data, sequence from customers.outbox where aggregate_id = $1 order by sequence',
    [customerId],
  );
const row = async (id: string) => (await adminQuery('select * from customers.customer where id = $1', [id]))[0];
const names = async (filter: Record<string, unknown>) => (await gql(SEARCH, { f: filter })).data.customers.nodes.map((n: { name: string }) => n.name);

describe('createCustomer', () => {
  it('creates a customer with addresses, notes and marketing consent, and records created', async () => {
    const c = await created({
      name: 'Ioana Marin',
      email: 'Ioana.Marin@Example.ro',
      phone: '+40 744 100 200',
      address: { line1: 'Str. Lungă 1', city: 'Brașov', postalCode: '500051', countryCode: 'RO' },
      addresses: [{ label: 'Work', line1: 'Bd. Eroilor 5', city: 'Brașov', countryCode: 'RO', defaultShipping: true }],
      notes: 'prefers SMS',
      marketingConsent: { granted: true, source: 'POS' },
    });
    expect(c).toMatchObject({
      status: 'ACTIVE',
      email: 'ioana.marin@example.ro',
      notes: 'prefers SMS',
      address: { line1: 'Str. Lungă 1', city: 'Brașov' },
      marketingConsent: { granted: true, source: 'POS' },
      marketingConsentHistory: [{ granted: true, source: 'POS' }],
      registration: null,
    });
    expect(c.addresses.map((a: any) => [a.label, a.defaultBilling, a.defaultShipping])).toEqual([
      [null, true, false],
      ['Work', false, true],
    ]);
    expect(await events(c.id)).toEqual([
      { type: 'comanda.customers.customer.created.v1', sequence: '1', data: { customerId: c.id, kind: 'PERSON', name: 'Ioana Marin', taxId: null } },
    ]);
  });

  it('replays a retried request under its idempotency key and refuses the key for another customer', async () => {
    const key = `pos-${randomUUID()}`;
    const input = { name: 'Retry Person', email: 'retry@example.ro', idempotencyKey: key };
    const [first, again] = await Promise.all([create(input), create(input)]);
    expect([first.userErrors, again.userErrors]).toEqual([[], []]);
    expect(again.customer.id).toBe(first.customer.id);
    expect([first.replayed, again.replayed].sort()).toEqual([false, true]);
    const conflict = await create({ ...input, name: 'Someone Else' });
    expect(conflict).toMatchObject({
      customer: null,
      replayed: false,
      userErrors: [{ code: 'IDEMPOTENCY_CONFLICT', field: ['input', 'idempotencyKey'] }],
    });
    expect(await adminQuery('select id from customers.customer where idempotency_key = $1', [key])).toHaveLength(1);
    expect(await events(first.customer.id)).toHaveLength(1);
  });

  it('refuses bad input with every problem and writes nothing', async () => {
    const name = `Bad ${freshTag()}`;
    const payload = await create({
      kind: 'COMPANY',
      name,
      email: 'not-an-email',
      phone: 'call me',
      taxId: '12345678',
      address: { line1: 'x', city: 'y', postalCode: '12', countryCode: 'RO' },
      marketingConsent: { granted: true, source: 'ERASURE' },
    });
    expect(payload.customer).toBeNull();
    expect(codes(payload).sort()).toEqual(['INVALID_CONSENT_SOURCE', 'INVALID_EMAIL', 'INVALID_PHONE', 'INVALID_POSTAL_CODE', 'INVALID_TAX_ID']);
    expect(await adminQuery('select id from customers.customer where name = $1', [name])).toEqual([]);
  });

  it('fills a company from the register: official name, RO tax id, registered office, VAT status', async () => {
    const payload = await create({ kind: 'COMPANY', name: 'exemplu', taxId: '12345674', fillFromRegistry: true, tags: ['registry'] });
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer).toMatchObject({
      name: 'EXEMPLU COMERȚ SRL',
      taxId: 'RO12345674',
      registration: { vatRegistered: true, active: true },
      addresses: [
        { label: 'Registered office', line1: 'Bd. Magheru, nr. 7, Sector 1', city: 'Bucureşti', defaultBilling: true, defaultShipping: true },
      ],
    });
    const inactive = await create({ kind: 'COMPANY', name: 'x', taxId: 'RO31415920', fillFromRegistry: true });
    expect(inactive.customer).toMatchObject({ name: 'RISC MARE SRL', taxId: '31415920', registration: { vatRegistered: false, active: false } });
  });

  it('reports what the register cannot tell and writes nothing', async () => {
    const name = `Unregistered ${freshTag()}`;
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'COMPANY', taxId: '44556670' }, 'COMPANY_NOT_FOUND'],
      [{ kind: 'COMPANY', taxId: '99999992' }, 'COMPANY_LOOKUP_UNAVAILABLE'],
      [{ kind: 'PERSON', taxId: '4221306' }, 'REGISTRY_NEEDS_COMPANY'],
      [{ kind: 'COMPANY', taxId: '4221307' }, 'INVALID_TAX_ID'],
      [{ kind: 'COMPANY' }, 'TAX_ID_REQUIRED'],
    ];
    for (const [input, code] of cases) {
      const payload = await create({ ...input, name, fillFromRegistry: true });
      expect({ input, codes: codes(payload), customer: payload.customer }).toEqual({ input, codes: [code], customer: null });
    }
    expect(await adminQuery('select id from customers.customer where name = $1', [name])).toEqual([]);
  });
});

describe('lookupCompany', () => {
  it('answers from the register, or says why not', async () => {
    const found = await gql(LOOKUP, { t: 'RO 18547290' }, await as('cashier'));
    expect(found.data.lookupCompany).toEqual({
      company: {
        taxId: 'RO18547290',
        name: 'CARPATICA DISTRIBUȚIE SRL',
        registrationNumber: 'J12/2451/2006',
        address: { line1: 'Str. Fabricii, nr. 12', city: 'Cluj-Napoca', region: 'RO-CJ', postalCode: '400620', countryCode: 'RO' },
        vatRegistered: true,
        active: true,
      },
      userErrors: [],
    });
    expect((await gql(LOOKUP, { t: '44556670' })).data.lookupCompany).toEqual({
      company: null,
      userErrors: [{ field: ['taxId'], code: 'COMPANY_NOT_FOUND' }],
    });
    expect((await gql(LOOKUP, { t: '123' })).data.lookupCompany.userErrors[0].code).toBe('INVALID_TAX_ID');
    expect((await gql(LOOKUP, { t: '18547290' }, await as('partner'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('updateCustomer', () => {
  it('edits fields, tags, notes, consent and addresses, and records updated with what changed', async () => {
    const tag = freshTag();
    const c = await created({
      name: 'Radu Stan',
      email: 'radu@example.ro',
      tags: [tag, 'old'],
      address: { line1: 'Str. A 1', city: 'Iași', countryCode: 'RO' },
    });
    const home = c.addresses[0].id;
    const given = '2026-01-15T09:00:00.000Z';
    const first = await update({
      customerId: c.id,
      name: 'Radu Ștefan Stan',
      phone: '0722 333 444',
      email: null,
      notes: 'VIP since 2020',
      addTags: ['VIP'],
      removeTags: ['old'],
      marketingConsent: { granted: true, source: 'PAPER_FORM', at: given },
      addAddresses: [{ label: 'Shop', line1: 'Str. B 2', city: 'Iași', postalCode: '700057', countryCode: 'RO', defaultShipping: true }],
      updateAddresses: [{ id: home, label: 'Home' }],
    });
    expect(first.userErrors).toEqual([]);
    expect(first.customer).toMatchObject({
      name: 'Radu Ștefan Stan',
      email: null,
      phone: '0722 333 444',
      notes: 'VIP since 2020',
      tags: [tag, 'vip'],
      marketingConsent: { granted: true, source: 'PAPER_FORM', at: given },
    });
    const shop = first.customer.addresses.find((a: any) => a.label === 'Shop');
    expect(first.customer.defaultBillingAddress.id).toBe(home);
    expect(first.customer.defaultShippingAddress.id).toBe(shop.id);

    const withdrawn = await update({
      customerId: c.id,
      marketingConsent: { granted: false, source: 'EMAIL' },
      removeAddressIds: [home],
      taxId: 'RO4221306',
    });
    expect(withdrawn.userErrors).toEqual([]);
    expect(withdrawn.customer.marketingConsentHistory.map((h: any) => [h.granted, h.source])).toEqual([
      [true, 'PAPER_FORM'],
      [false, 'EMAIL'],
    ]);
    expect(withdrawn.customer.addresses).toEqual([expect.objectContaining({ id: shop.id, defaultBilling: true, defaultShipping: true })]);
    expect(withdrawn.customer.taxId).toBe('RO4221306');

    const log = await events(c.id);
    expect(log.map((e) => [e.type, e.sequence])).toEqual([
      ['comanda.customers.customer.created.v1', '1'],
      ['comanda.customers.customer.updated.v1', '2'],
      ['comanda.customers.customer.updated.v1', '3'],
    ]);
    expect(log[1]!.data).toEqual({
      customerId: c.id,
      changed: ['name', 'email', 'phone', 'tags', 'notes', 'addresses', 'marketingConsent'],
      kind: 'PERSON',
      name: 'Radu Ștefan Stan',
      taxId: null,
      marketingConsent: { granted: true, at: given, source: 'PAPER_FORM' },
    });
    expect(log[2]!.data.changed).toEqual(['taxId', 'addresses', 'marketingConsent']);
  });

  it('changes nothing and records nothing when a request is repeated', async () => {
    const c = await created({ name: 'Same Again', tags: ['x'] });
    const patch = {
      customerId: c.id,
      addTags: ['y'],
      addAddresses: [{ line1: 'Str. C 3', city: 'Arad', countryCode: 'RO' }],
      marketingConsent: { granted: true, source: 'WEB' },
    };
    const once = await update(patch);
    const twice = await update(patch);
    expect(twice.userErrors).toEqual([]);
    expect(twice.customer.addresses).toHaveLength(1);
    expect(twice.customer.marketingConsentHistory).toHaveLength(1);
    expect(twice.customer.updatedAt).toBe(once.customer.updatedAt);
    expect(await events(c.id)).toHaveLength(2);
  });

  it('applies concurrent edits one after the other: no tag is lost, events stay in sequence', async () => {
    const c = await created({ name: 'Busy Person' });
    const tags = Array.from({ length: 6 }, (_, i) => `busy-${i}`);
    const results = await Promise.all(tags.map((t) => update({ customerId: c.id, addTags: [t] })));
    expect(results.map((r) => r.userErrors)).toEqual(tags.map(() => []));
    expect((await gql(GET, { id: c.id })).data.customer.tags.sort()).toEqual(tags);
    expect((await events(c.id)).map((e) => e.sequence)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('refuses bad input with stable codes and writes nothing', async () => {
    const c = await created({ kind: 'COMPANY', name: 'Strict SRL', taxId: '18547290' });
    const before = await row(c.id);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ email: 'a@b' }, ['INVALID_EMAIL']],
      [{ phone: '12' }, ['INVALID_PHONE']],
      [{ taxId: '18547291' }, ['INVALID_TAX_ID']],
      [{ taxId: null }, ['TAX_ID_REQUIRED']],
      [{ name: '  ' }, ['NAME_REQUIRED']],
      [{ addTags: ['a'], removeTags: ['A'] }, ['TAG_CONFLICT']],
      [{ removeAddressIds: [randomUUID()] }, ['ADDRESS_NOT_FOUND']],
      [{ marketingConsent: { granted: true, source: 'WEB', at: '2099-01-01T00:00:00Z' } }, ['CONSENT_IN_FUTURE']],
      [{ name: 'Renamed SRL', addAddresses: [{ line1: '', city: 'Cluj', countryCode: 'RO' }] }, ['ADDRESS_LINE_REQUIRED']],
    ];
    for (const [patch, expected] of cases) {
      const payload = await update({ customerId: c.id, ...patch });
      expect({ patch, codes: codes(payload), customer: payload.customer }).toEqual({ patch, codes: expected, customer: null });
    }
    expect(await row(c.id)).toEqual(before);
    expect(await events(c.id)).toHaveLength(1);
    expect(codes(await update({ customerId: randomUUID(), name: 'x' }))).toEqual(['CUSTOMER_NOT_FOUND']);
    expect(codes(await update({ customerId: 'not-a-uuid', name: 'x' }))).toEqual(['CUSTOMER_NOT_FOUND']);
  });

  it('lets the counter roles edit, the accountant read, and partners and devices nothing', async () => {
    const c = await created({ name: 'Roles Person' });
    expect((await update({ customerId: c.id, notes: 'by a cashier' }, await as('cashier'))).userErrors).toEqual([]);
    const accountant = await as('accountant');
    expect((await gql(GET, { id: c.id }, accountant)).data.customer.notes).toBe('by a cashier');
    expect((await update({ customerId: c.id, notes: 'x' }, accountant)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const role of ['partner', 'device'] as const) {
      expect((await subgraphGql('customers', GET, { id: c.id }, { roles: [role] })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const ref = await subgraphGql(
        'customers',
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id name } } }',
        {
          r: [{ __typename: 'Customer', id: c.id }],
        },
        { roles: [role] },
      );
      expect(ref.data._entities).toEqual([null]);
    }
  });
});

describe('search', () => {
  it('finds by name without diacritics or case, by email, phone in any format, tax id with or without RO, and tag', async () => {
    const tag = freshTag();
    await created({ name: 'Ștefan Țepeș-Ionescu', email: `stefan.${tag}@example.ro`, phone: '+40 733 444 555', tags: [tag] });
    const cui = freshCui();
    await created({ kind: 'COMPANY', name: `Fabrica ${tag} SRL`, taxId: `RO${cui}`, tags: [tag] });
    expect(await names({ search: 'stefan tepes', tag })).toEqual(['Ștefan Țepeș-Ionescu']);
    expect(await names({ search: 'IONESCU ștefan', tag })).toEqual(['Ștefan Țepeș-Ionescu']);
    expect(await names({ search: `STEFAN.${tag}`, tag })).toEqual(['Ștefan Țepeș-Ionescu']);
    expect(await names({ search: '0733-444', tag })).toEqual(['Ștefan Țepeș-Ionescu']);
    expect(await names({ search: '0040733444555', tag })).toEqual(['Ștefan Țepeș-Ionescu']);
    expect(await names({ search: cui, tag })).toEqual([`Fabrica ${tag} SRL`]);
    expect(await names({ search: `ro ${cui}` })).toEqual([`Fabrica ${tag} SRL`]);
    expect(await names({ tag, kind: 'COMPANY' })).toEqual([`Fabrica ${tag} SRL`]);
    expect(await names({ search: '100%_', tag })).toEqual([]);
  });

  it('answers a page of customers with their addresses and consent in as many statements as a short page', async () => {
    const tag = freshTag();
    for (let i = 0; i < 12; i++) {
      await created({
        name: `Page ${i}`,
        tags: [tag],
        address: { line1: `Str. ${i}`, city: 'Cluj', countryCode: 'RO' },
        marketingConsent: { granted: true, source: 'WEB' },
      });
    }
    const query = `query($f: CustomerFilter, $n: Int) { customers(first: $n, filter: $f) { nodes { id address { city } addresses { id } marketingConsentHistory { at } } } }`;
    const three = await gqlCountingSql(query, { f: { tag }, n: 3 });
    const twelve = await gqlCountingSql(query, { f: { tag }, n: 12 });
    expect(twelve.result.data.customers.nodes).toHaveLength(12);
    expect(twelve.statements.customers).toBe(three.statements.customers);
  });
});

describe('importCustomers', () => {
  const header = 'Nume;E-mail;Telefon;CUI;Etichete;Adresa;Oras;Cod postal;Acord marketing;Culoare';

  it('imports the good rows, reports the bad ones by line and code, and is idempotent', async () => {
    const tag = freshTag();
    const cui = freshCui();
    const existing = await created({ name: 'Already Here', email: `here.${tag}@example.ro`, tags: [tag] });
    const csv = [
      header,
      `Maria Dobre;maria.${tag}@example.ro;0744 111 222;;${tag}|client;Str. Mare 3;Sibiu;550003;da;blue`,
      `Firma ${tag} SRL;;;RO${cui};${tag};;;;;`,
      `Already Here;HERE.${tag}@example.ro;0755 000 111;;${tag}|imported;;;;;`,
      `;nobody.${tag}@example.ro;;;${tag};;;;;`,
      `Bad Email;nope;;;${tag};;;;;`,
      `Bad CUI SRL;;;12345678;${tag};;;;;`,
      `Maria D.;MARIA.${tag}@example.ro;;;${tag}|again;;;;;`,
    ].join('\r\n');

    const dry = await gql(IMPORT, { input: { csv, dryRun: true } });
    expect(dry.data.importCustomers.userErrors).toEqual([]);
    expect(dry.data.importCustomers.report).toMatchObject({
      dryRun: true,
      rows: 7,
      created: 2,
      updated: 2,
      unchanged: 0,
      rejected: 3,
      ignoredColumns: ['Culoare'],
    });
    expect(await names({ tag })).toEqual(['Already Here']);
    expect(await events(existing.id)).toHaveLength(1);

    const real = (await gql(IMPORT, { input: { csv } })).data.importCustomers;
    expect(real.userErrors).toEqual([]);
    const report = real.report;
    expect(report).toMatchObject({ dryRun: false, rows: 7, created: 2, updated: 2, unchanged: 0, rejected: 3 });
    expect(report.accepted.map((a: any) => [a.row, a.action])).toEqual([
      [2, 'CREATED'],
      [3, 'CREATED'],
      [4, 'UPDATED'],
      [8, 'UPDATED'],
    ]);
    expect(report.problems).toEqual([
      { row: 5, code: 'NAME_REQUIRED', message: 'a customer needs a name', column: 'Nume' },
      { row: 6, code: 'INVALID_EMAIL', message: 'the email address is not valid', column: 'E-mail' },
      { row: 7, code: 'INVALID_TAX_ID', message: 'the CUI check digit does not match', column: 'CUI' },
    ]);
    const maria = report.accepted[0].customer;
    expect(report.accepted[3].customer).toMatchObject({ id: maria.id, tags: [tag, 'client', 'again'] });
    expect(report.accepted[2].customer).toMatchObject({
      id: existing.id,
      name: 'Already Here',
      email: `here.${tag}@example.ro`,
      phone: '0755 000 111',
    });
    expect((await gql(GET, { id: maria.id })).data.customer).toMatchObject({
      phone: '0744 111 222',
      address: { line1: 'Str. Mare 3', city: 'Sibiu' },
      marketingConsent: { granted: true, source: 'IMPORT' },
    });

    const again = (await gql(IMPORT, { input: { csv } })).data.importCustomers.report;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 4, rejected: 3 });
    expect((await names({ tag })).sort()).toEqual(['Already Here', `Firma ${tag} SRL`, 'Maria Dobre']);
    expect((await events(maria.id)).map((e) => e.type)).toEqual(['comanda.customers.customer.created.v1', 'comanda.customers.customer.updated.v1']);
  });

  it('refuses a file it cannot read as a whole, and is for owners and managers only', async () => {
    const cases: [string, string][] = [
      ['email\nx@example.ro', 'MISSING_COLUMN'],
      ['name\n"unterminated', 'INVALID_CSV'],
      ['name\n', 'IMPORT_EMPTY'],
    ];
    for (const [csv, code] of cases) {
      expect((await gql(IMPORT, { input: { csv } })).data.importCustomers).toEqual({
        report: null,
        userErrors: [{ field: ['input', 'csv'], message: expect.any(String), code }],
      });
    }
    expect((await gql(IMPORT, { input: { csv: 'name\nx' } }, await as('cashier'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('duplicates and merging', () => {
  it('finds duplicates, merges one into the survivor and resolves the merged id to it', async () => {
    const tag = freshTag();
    const survivor = await created({
      name: 'Elena Vasilescu',
      email: `elena.${tag}@example.ro`,
      tags: [tag, 'a'],
      address: { line1: 'Str. A 1', city: 'Cluj', countryCode: 'RO' },
    });
    const twin = await created({
      name: 'Vasilescu Elena',
      email: `Elena.${tag}+shop@example.ro`,
      phone: '0733 222 111',
      tags: [tag, 'b'],
      address: { line1: 'Str. B 2', city: 'Cluj', countryCode: 'RO' },
      marketingConsent: { granted: true, source: 'WEB' },
    });
    const older = await created({ name: 'Elena Vasilescu', tags: [tag] });
    await created({ name: 'Elena Vasile', tags: [tag] });

    const found = (await gql(DUPLICATES, { id: survivor.id })).data.customerDuplicates;
    expect(found.map((d: any) => [d.customer.id, d.score, d.reasons])).toEqual([
      [twin.id, 90, ['SAME_EMAIL', 'SIMILAR_NAME']],
      [older.id, 60, ['SIMILAR_NAME']],
    ]);

    // a tombstone merged into the twin follows it to the survivor
    expect((await gql(MERGE, { input: { survivorId: twin.id, mergedId: older.id } })).data.mergeCustomers.userErrors).toEqual([]);
    const merged = (await gql(MERGE, { input: { survivorId: survivor.id, mergedId: twin.id } })).data.mergeCustomers;
    expect(merged.userErrors).toEqual([]);
    expect(merged.customer).toMatchObject({
      id: survivor.id,
      email: `elena.${tag}@example.ro`,
      phone: '0733 222 111',
      tags: [tag, 'a', 'b'],
      marketingConsent: { granted: true, source: 'WEB' },
      marketingConsentHistory: [{ granted: true, source: 'WEB' }],
    });
    expect(merged.customer.addresses.map((a: any) => [a.line1, a.defaultBilling])).toEqual([
      ['Str. A 1', true],
      ['Str. B 2', false],
    ]);

    for (const id of [twin.id, older.id]) expect((await gql(GET, { id })).data.customer.id).toBe(survivor.id);
    const refs = await subgraphGql('customers', 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id name } } }', {
      r: [twin.id, older.id, survivor.id].map((id) => ({ __typename: 'Customer', id })),
    });
    expect(refs.data._entities).toEqual([0, 1, 2].map(() => ({ id: survivor.id, name: 'Elena Vasilescu' })));
    expect((await row(older.id)).merged_into_id).toBe(survivor.id);
    expect((await names({ tag })).sort()).toEqual(['Elena Vasile', 'Elena Vasilescu']);
    expect((await events(twin.id)).at(-1)).toMatchObject({
      type: 'comanda.customers.customer.merged.v1',
      data: { customerId: twin.id, survivorId: survivor.id, mergedAt: expect.any(String) },
    });
    expect((await events(survivor.id)).at(-1)?.data.changed).toEqual(['phone', 'tags', 'addresses', 'marketingConsent']);

    const count = (await events(survivor.id)).length + (await events(twin.id)).length;
    const replay = (await gql(MERGE, { input: { survivorId: survivor.id, mergedId: twin.id } })).data.mergeCustomers;
    expect(replay).toMatchObject({ userErrors: [], customer: { id: survivor.id } });
    expect((await events(survivor.id)).length + (await events(twin.id)).length).toBe(count);
  });

  it('refuses merges that cannot be right', async () => {
    const a = await created({ kind: 'COMPANY', name: 'Alfa SRL', taxId: '18547290' });
    const b = await created({ kind: 'COMPANY', name: 'Alfa SRL', taxId: '4221306' });
    const p = await created({ name: 'Alfa Person' });
    const c = await created({ name: 'Gamma' });
    const d = await created({ name: 'Delta' });
    await gql(MERGE, { input: { survivorId: c.id, mergedId: d.id } });
    const merge = async (survivorId: string, mergedId: string, token?: { token: string }) => gql(MERGE, { input: { survivorId, mergedId } }, token);
    expect(codes((await merge(a.id, b.id)).data.mergeCustomers)).toEqual(['MERGE_TAX_ID_CONFLICT']);
    expect(codes((await merge(a.id, p.id)).data.mergeCustomers)).toEqual(['MERGE_KIND_MISMATCH']);
    expect(codes((await merge(a.id, a.id)).data.mergeCustomers)).toEqual(['MERGE_SAME_CUSTOMER']);
    expect(codes((await merge(d.id, p.id)).data.mergeCustomers)).toEqual(['CUSTOMER_MERGED']);
    expect(codes((await merge(p.id, d.id)).data.mergeCustomers)).toEqual(['CUSTOMER_ALREADY_MERGED']);
    expect(codes((await merge(p.id, randomUUID())).data.mergeCustomers)).toEqual(['CUSTOMER_NOT_FOUND']);
    expect((await merge(p.id, c.id, await as('cashier'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await row(b.id)).status).toBe('ACTIVE');
    expect((await row(p.id)).status).toBe('ACTIVE');
  });
});

describe('GDPR', () => {
  it('exports everything the register holds about the person, also what was merged into them', async () => {
    const c = await created({
      name: 'Export Person',
      email: 'export@example.ro',
      notes: 'allergic to nuts',
      address: { line1: 'Str. Export 1', city: 'Cluj', countryCode: 'RO' },
      marketingConsent: { granted: true, source: 'POS' },
    });
    const twin = await created({ name: 'Export P.', phone: '0700 000 999' });
    await gql(MERGE, { input: { survivorId: c.id, mergedId: twin.id } });
    const text = (await gql(EXPORT, { id: c.id }, await as('owner'))).data.exportCustomerData;
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({
      format: 'comanda.customers.export.v1',
      customer: {
        id: c.id,
        name: 'Export Person',
        email: 'export@example.ro',
        phone: '0700 000 999',
        notes: 'allergic to nuts',
        marketingConsent: { granted: true, source: 'POS' },
      },
      addresses: [{ line1: 'Str. Export 1', defaultBilling: true }],
      marketingConsentHistory: [{ granted: true, source: 'POS' }],
      mergedRecords: [{ id: twin.id, name: 'Export P.', status: 'MERGED' }],
    });
    expect(doc.events.map((e: any) => e.type)).toEqual([
      'comanda.customers.customer.created.v1',
      'comanda.customers.customer.created.v1',
      'comanda.customers.customer.merged.v1',
      'comanda.customers.customer.updated.v1',
    ]);
    expect(JSON.parse((await gql(EXPORT, { id: twin.id })).data.exportCustomerData).customer.id).toBe(c.id);
    expect((await gql(EXPORT, { id: randomUUID() })).data.exportCustomerData).toBeNull();
    expect((await gql(EXPORT, { id: c.id }, await as('cashier'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('erases a person: anonymized, consent withdrawn, addresses gone, events redacted, id kept; once', async () => {
    const tag = freshTag();
    const cui = freshCui();
    const c = await created({
      kind: 'COMPANY',
      name: `Erase ${tag} SRL`,
      taxId: cui,
      email: `erase.${tag}@example.ro`,
      phone: '0711 111 111',
      tags: [tag],
      notes: 'call after 5',
      address: { line1: 'Str. Erase 1', city: 'Cluj', countryCode: 'RO' },
      marketingConsent: { granted: true, source: 'WEB' },
    });
    const twin = await created({ kind: 'COMPANY', name: `Erase ${tag} S.R.L.`, taxId: `RO${cui}` });
    await gql(MERGE, { input: { survivorId: c.id, mergedId: twin.id } });

    expect(codes((await gql(ERASE, { input: { customerId: c.id, reason: ' ' } })).data.eraseCustomer)).toEqual(['ERASURE_REASON_REQUIRED']);
    expect((await gql(ERASE, { input: { customerId: c.id, reason: 'x' } }, await as('cashier'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(codes((await gql(ERASE, { input: { customerId: twin.id, reason: 'x' } })).data.eraseCustomer)).toEqual(['CUSTOMER_MERGED']);
    expect((await row(c.id)).name).toBe(`Erase ${tag} SRL`);

    const erased = (await gql(ERASE, { input: { customerId: c.id, reason: 'customer request by email, 2026-03-01' } })).data.eraseCustomer;
    expect(erased.userErrors).toEqual([]);
    expect(erased.customer).toMatchObject({
      id: c.id,
      status: 'ERASED',
      name: 'Erased customer',
      email: null,
      phone: null,
      taxId: null,
      tags: [],
      notes: null,
      address: null,
      addresses: [],
      marketingConsent: { granted: false, source: 'ERASURE' },
      erasedAt: expect.any(String),
    });
    expect(erased.customer.marketingConsentHistory.map((h: any) => [h.granted, h.source])).toEqual([
      [true, 'WEB'],
      [false, 'ERASURE'],
    ]);
    expect((await gql(GET, { id: twin.id })).data.customer).toMatchObject({ id: c.id, status: 'ERASED' });
    const tomb = await row(twin.id);
    expect(tomb).toMatchObject({ name: 'Erased customer', tax_id: null, email_key: null, tax_key: null, status: 'MERGED' });
    expect(await names({ tag })).toEqual([]);
    expect(await names({ search: cui })).toEqual([]);

    const held = await adminQuery<{ data: object }>(`select data::text as data from customers.outbox where aggregate_id = any($1)`, [
      [c.id, twin.id],
    ]);
    expect(held.length).toBeGreaterThan(3);
    expect(held.map((e) => String(e.data)).join()).not.toMatch(new RegExp(`${tag}|${cui}`, 'i'));
    expect((await events(c.id)).at(-1)).toMatchObject({ type: 'comanda.customers.customer.erased.v1', data: { customerId: c.id } });
    expect((await events(twin.id)).at(-1)?.type).toBe('comanda.customers.customer.erased.v1');

    expect(codes((await gql(ERASE, { input: { customerId: c.id, reason: 'again' } })).data.eraseCustomer)).toEqual(['CUSTOMER_ALREADY_ERASED']);
    expect(codes(await update({ customerId: c.id, name: 'Back' }))).toEqual(['CUSTOMER_ERASED']);
  });
});

describe('tenant isolation', () => {
  it('another tenant can neither see nor touch these customers', async () => {
    const c = await created({ name: 'Private Person', email: 'private@example.ro' });
    const acme = await as('owner', other.tenantId);
    expect((await gql(GET, { id: c.id }, acme)).data.customer).toBeNull();
    expect(codes(await update({ customerId: c.id, name: 'Hijacked' }, acme))).toEqual(['CUSTOMER_NOT_FOUND']);
    expect(codes((await gql(ERASE, { input: { customerId: c.id, reason: 'x' } }, acme)).data.eraseCustomer)).toEqual(['CUSTOMER_NOT_FOUND']);
    const acmeCustomer = other.customers[0]!.id;
    expect(codes((await gql(MERGE, { input: { survivorId: acmeCustomer, mergedId: c.id } }, acme)).data.mergeCustomers)).toEqual([
      'CUSTOMER_NOT_FOUND',
    ]);
    expect((await gql(EXPORT, { id: c.id }, acme)).data.exportCustomerData).toBeNull();
    expect((await gql(DUPLICATES, { id: c.id }, acme)).data.customerDuplicates).toEqual([]);
    const twin = await gql(CREATE, { input: { kind: 'PERSON', name: 'Private Person', email: 'private@example.ro' } }, acme);
    expect((await gql(DUPLICATES, { id: twin.data.createCustomer.customer.id }, acme)).data.customerDuplicates).toEqual([]);
    expect((await row(c.id)).name).toBe('Private Person');
    expect(demo.tenantId).not.toBe(other.tenantId);
  });

  it('every table of the subgraph is under forced row-level security', async () => {
    const rows = await adminQuery(
      `select relname, relrowsecurity, relforcerowsecurity from pg_class
        where relnamespace = 'customers'::regnamespace and relkind = 'r' and relname <> 'mikro_orm_migrations' order by relname`,
    );
    expect(rows).toEqual(
      ['customer', 'customer_activity', 'customer_address', 'customer_purchase', 'customer_spend', 'inbox', 'marketing_consent_change', 'outbox'].map(
        (relname) => ({
          relname,
          relrowsecurity: true,
          relforcerowsecurity: true,
        }),
      ),
    );
  });
});
