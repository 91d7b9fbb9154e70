import { toEnvelope } from '@comanda/kafka';
import { appDatabaseUrl, createLogger, type EventEnvelope, openOrm } from '@comanda/kit';
import { loadEventCatalog } from '@comanda/schema/events';
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl, demo, eventually, gql, other, tokenFor, withSubgraphEm } from '../../../tests/support/client.ts';
import { placeOnAccountOrder } from '../../../tests/support/flows.ts';
import { authorityRegistry, SandboxAuthority } from '../src/einvoice/index.ts';
import { addWorkingDays } from '../src/einvoice/working-days.ts';
import { fiscal, issueInvoice } from '../src/index.ts';
import { keepSale } from '../src/reactions.ts';
import { submitDueEInvoices } from '../src/services/einvoices.ts';

const COMPANY = demo.customers.find((c) => c.taxId === 'RO18547290')!;
const CARPATICA = {
  name: COMPANY.name,
  vatId: 'RO18547290',
  address: { street: 'Str. Memorandumului 28', city: 'Cluj-Napoca', county: 'RO-CJ', postalCode: '400114', countryCode: 'RO' },
};

const INVOICE = `query($id: ID!) { invoice(id: $id) { id number eInvoiceStatus
  eInvoice { status authority uploadIndex deadline queuedAt submittedAt decidedAt attempts lastError messages { code message } xml } } }`;
const QUEUE = `mutation($i: QueueEInvoiceInput!) { queueEInvoice(input: $i) { invoice { id eInvoiceStatus eInvoice { status deadline } } userErrors { code field message } } }`;
const PROFILE = `mutation($i: ConfigureSellerProfileInput!) { configureSellerProfile(input: $i) {
  sellerProfile { legalName vatId companyId authority address { city county } } userErrors { code field message } } }`;

const catalog = loadEventCatalog();
async function eInvoiceEvents(invoiceId: string) {
  const rows = await adminQuery(
    `select position, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from fiscal.outbox
      where aggregate_id = $1 and type = 'comanda.fiscal.invoice.einvoice_status_changed.v1' order by sequence`,
    [invoiceId],
  );
  return rows.map((row) => toEnvelope('fiscal', row));
}

describe('e-Factura through the stack (sandbox authority)', () => {
  it('queues a B2B invoice, submits it and keeps it ACCEPTED, within its deadline', async () => {
    const order = await placeOnAccountOrder(COMPANY.id, demo.products[5]!.variants[0]!.id, '3');
    const invoiceId = await eventually(
      async () => (await gql('query($id: ID!) { order(id: $id) { invoice { id } } }', { id: order.id })).data?.order?.invoice?.id,
      20_000,
    );
    const draft = (await gql(INVOICE, { id: invoiceId })).data.invoice;
    expect(draft).toMatchObject({ eInvoiceStatus: 'DRAFT', eInvoice: null });

    const input = { invoiceId, buyer: CARPATICA, idempotencyKey: uuidv7() };
    const queued = await gql(QUEUE, { i: input });
    expect(queued.data.queueEInvoice.userErrors).toEqual([]);
    expect(queued.data.queueEInvoice.invoice.eInvoiceStatus).toBe('QUEUED');
    // a replay is the same request; another one while it is on its way is refused
    expect((await gql(QUEUE, { i: input })).data.queueEInvoice).toMatchObject({ invoice: { id: invoiceId }, userErrors: [] });
    expect((await gql(QUEUE, { i: { ...input, idempotencyKey: uuidv7() } })).data.queueEInvoice.userErrors[0].code).toBe('EINVOICE_ALREADY_QUEUED');

    const done = await eventually(async () => {
      const invoice = (await gql(INVOICE, { id: invoiceId })).data.invoice;
      return invoice.eInvoiceStatus === 'ACCEPTED' ? invoice : null;
    }, 30_000);
    const [issued] = await adminQuery<{ issued_on: string }>(
      `select to_char(issued_at at time zone 'Europe/Bucharest', 'YYYY-MM-DD') as issued_on from fiscal.invoice where id = $1`,
      [invoiceId],
    );
    expect(done.eInvoice).toMatchObject({
      status: 'ACCEPTED',
      authority: 'sandbox',
      uploadIndex: expect.any(String),
      messages: [],
      deadline: addWorkingDays(issued!.issued_on, 5),
    });
    expect(new Date(done.eInvoice.submittedAt).getTime()).toBeLessThanOrEqual(new Date(done.eInvoice.decidedAt).getTime());
    expect(done.eInvoice.xml).toContain(`<cbc:ID>${done.number}</cbc:ID>`);
    expect(done.eInvoice.xml).toContain('<cbc:CompanyID>RO18547290</cbc:CompanyID>');

    const events = await eInvoiceEvents(invoiceId);
    expect(events.map((e) => `${e.data.from}->${e.data.to}`)).toEqual(['DRAFT->QUEUED', 'QUEUED->SUBMITTED', 'SUBMITTED->ACCEPTED']);
    expect(events.map((e) => catalog.validate(e))).toEqual([null, null, null]);
  });

  it('refuses to queue what breaks CIUS-RO, naming the rule, and changes nothing', async () => {
    const invoice = await withSubgraphEm(fiscal, demo.tenantId, (em) =>
      issueInvoice(em, {
        orderId: null,
        customerId: COMPANY.id,
        storeId: demo.stores[1]!.id,
        currency: 'RON',
        total: '121.00',
        vatBreakdown: [{ rate: '21', taxableAmount: '100.00', taxAmount: '21.00' }],
        dueDays: 30,
      }),
    );
    const queue = (buyer: object) => gql(QUEUE, { i: { invoiceId: invoice.id, buyer, idempotencyKey: uuidv7() } });
    const county = await queue({ ...CARPATICA, address: { ...CARPATICA.address, county: 'Cluj' } });
    expect(county.data.queueEInvoice).toMatchObject({ invoice: null, userErrors: [{ code: 'CIUS_RO_COUNTY_CODE', field: ['input', 'buyer'] }] });
    const sector = await queue({ ...CARPATICA, address: { ...CARPATICA.address, county: 'RO-B', city: 'Bucuresti' } });
    expect(sector.data.queueEInvoice.userErrors.map((e: { code: string }) => e.code)).toEqual(['CIUS_RO_BUCHAREST_SECTOR']);
    const cui = await queue({ ...CARPATICA, vatId: 'RO12345678' });
    expect(cui.data.queueEInvoice.userErrors.map((e: { code: string }) => e.code)).toEqual(['CIUS_RO_CUI']);
    // a valid buyer, but an invoice without an order has no lines to declare
    const lines = await queue(CARPATICA);
    expect(lines.data.queueEInvoice.userErrors.map((e: { code: string }) => e.code)).toContain('CIUS_RO_LINES');
    expect((await gql(INVOICE, { id: invoice.id })).data.invoice).toMatchObject({ eInvoiceStatus: 'DRAFT', eInvoice: null });

    const person = await withSubgraphEm(fiscal, demo.tenantId, (em) =>
      issueInvoice(em, {
        orderId: null,
        customerId: COMPANY.id,
        storeId: demo.stores[1]!.id,
        currency: 'RON',
        total: '1.00',
        vatBreakdown: [{ rate: '0', taxableAmount: '1.00', taxAmount: '0' }],
        dueDays: 0,
        buyerKind: 'PERSON',
      }),
    );
    expect(
      (await gql(QUEUE, { i: { invoiceId: person.id, buyer: CARPATICA, idempotencyKey: uuidv7() } })).data.queueEInvoice.userErrors[0].code,
    ).toBe('EINVOICE_NOT_REQUIRED');
    expect((await gql(QUEUE, { i: { invoiceId: uuidv7(), buyer: CARPATICA, idempotencyKey: uuidv7() } })).data.queueEInvoice.userErrors[0].code).toBe(
      'INVOICE_NOT_FOUND',
    );
    // cashiers do not send e-invoices
    const cashier = await tokenFor({ role: 'cashier' });
    expect(
      (await gql(QUEUE, { i: { invoiceId: invoice.id, buyer: CARPATICA, idempotencyKey: uuidv7() } }, { token: cashier })).errors?.[0]?.extensions
        ?.code,
    ).toBe('FORBIDDEN');
  });
});

describe('the submitter against an authority that fails and rejects', () => {
  // the second tenant submits to an authority only this test drives (the stack's submitter has only "sandbox")
  const AUTHORITY = `test-spv-${uuidv7().slice(-12)}`;
  const spv = new SandboxAuthority({ name: AUTHORITY, processingMs: 0, unregisteredSellers: ['31415938'] });
  const authorities = authorityRegistry([spv]);
  const log = createLogger('einvoice-test');
  let orm: MikroORM;
  const pass = (aheadMs: number) => submitDueEInvoices(orm, authorities, log, { batchSize: 100, now: new Date(Date.now() + aheadMs) });
  const read = async (id: string, token: string) => (await gql(INVOICE, { id }, { token })).data.invoice;

  beforeAll(async () => {
    orm = await openOrm(fiscal.name, fiscal.entities, appDatabaseUrl(databaseUrl(), fiscal.name));
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('retries while the authority is down, then keeps its rejection and messages; a rejected one may be queued again', async () => {
    const owner = await tokenFor({ role: 'owner', tenant: other.tenantId });
    const seller = {
      legalName: 'Acme România SRL',
      vatId: 'RO31415938',
      companyId: '31415938',
      address: { street: 'Bd. Unirii 1', city: 'Sector 3', county: 'RO-B', countryCode: 'RO' },
      authority: AUTHORITY,
    };
    expect((await gql(PROFILE, { i: { ...seller, companyId: '31415930' } }, { token: owner })).data.configureSellerProfile.userErrors[0].code).toBe(
      'CIUS_RO_CUI',
    );
    expect((await gql(PROFILE, { i: { ...seller, authority: 'Bad,Name' } }, { token: owner })).data.configureSellerProfile.userErrors[0].code).toBe(
      'INVALID_AUTHORITY',
    );
    const profile = await gql(PROFILE, { i: seller }, { token: owner });
    expect(profile.data.configureSellerProfile).toMatchObject({
      sellerProfile: { companyId: '31415938', authority: AUTHORITY, address: { county: 'RO-B' } },
      userErrors: [],
    });

    // an invoiced B2B sale of the second tenant, as fiscal keeps it from order.placed
    const orderId = uuidv7();
    const storeId = other.stores[0]!.id;
    const customerId = uuidv7();
    const placed = {
      orderId,
      storeId,
      channel: 'B2B',
      customerId,
      payOnAccount: true,
      currency: 'RON',
      total: '60.50',
      discountTotal: '0.00',
      vatBreakdown: [{ rate: '21', taxableAmount: '50.00', taxAmount: '10.50' }],
      lines: [
        {
          name: 'Moka pot 6 cups',
          sku: 'ACME-037-S',
          quantity: '2',
          unitPrice: '25.00',
          vatRate: '21',
          discount: '0.00',
          netAmount: '50.00',
          taxAmount: '10.50',
          total: '60.50',
        },
      ],
    };
    const event = {
      specversion: '1.0',
      id: uuidv7(),
      source: 'orders',
      type: 'comanda.orders.order.placed.v1',
      subject: orderId,
      time: new Date().toISOString(),
      tenantid: other.tenantId,
      storeid: storeId,
      sequence: 1,
      traceparent: null,
      datacontenttype: 'application/json',
      data: placed,
    } as EventEnvelope;
    await withSubgraphEm(fiscal, other.tenantId, (em) => keepSale.handle(em, event));
    const invoice = await withSubgraphEm(fiscal, other.tenantId, (em) =>
      issueInvoice(em, {
        orderId,
        customerId,
        storeId,
        currency: 'RON',
        total: '60.50',
        vatBreakdown: placed.vatBreakdown,
        dueDays: 14,
        countryCode: 'RO',
      }),
    );
    const queue = (key: string) =>
      gql(QUEUE, { i: { invoiceId: invoice.id, buyer: { ...CARPATICA, address: { ...CARPATICA.address } }, idempotencyKey: key } }, { token: owner });
    expect((await queue(uuidv7())).data.queueEInvoice.userErrors).toEqual([]);

    spv.goDown();
    await pass(0);
    expect((await read(invoice.id, owner)).eInvoice).toMatchObject({ status: 'QUEUED', attempts: 1, lastError: expect.stringMatching(/503/) });
    // not before the backoff is over
    await pass(1_000);
    expect((await read(invoice.id, owner)).eInvoice.attempts).toBe(1);
    await pass(6_000);
    expect((await read(invoice.id, owner)).eInvoice.attempts).toBe(2);

    spv.comeBack();
    await pass(60_000);
    const submitted = await read(invoice.id, owner);
    expect(submitted.eInvoice).toMatchObject({ status: 'SUBMITTED', uploadIndex: spv.received.at(-1)!.uploadIndex, attempts: 0, lastError: null });
    expect(spv.received.at(-1)!.request).toEqual({ sellerCif: '31415938', standard: 'UBL' });
    await pass(120_000);
    const rejected = await read(invoice.id, owner);
    expect(rejected).toMatchObject({
      eInvoiceStatus: 'REJECTED',
      eInvoice: { status: 'REJECTED', messages: [{ code: 'SELLER_NOT_REGISTERED', message: expect.stringContaining('31415938') }] },
    });
    expect(spv.received).toHaveLength(1);

    // queued again (e.g. once the seller registered): back to QUEUED, uploaded anew
    expect((await queue(uuidv7())).data.queueEInvoice.invoice.eInvoiceStatus).toBe('QUEUED');
    const events = await eInvoiceEvents(invoice.id);
    expect(events.map((e) => `${e.data.from}->${e.data.to}`)).toEqual([
      'DRAFT->QUEUED',
      'QUEUED->SUBMITTED',
      'SUBMITTED->REJECTED',
      'REJECTED->QUEUED',
    ]);
    expect(events.map((e) => catalog.validate(e))).toEqual(events.map(() => null));
  });
});
