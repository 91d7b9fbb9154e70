import { DomainError, type EntityManager, fingerprint, type Logger, runPeriodically, tenantEm, UUID, userError } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DEFAULT_TIMEZONE } from '../domain/documents.ts';
import { canMoveEInvoice, type SubmissionStatus, statusPollDelayMs, uploadRetryDelayMs } from '../domain/einvoice.ts';
import { idempotencyKey as checkKey } from '../domain/shift.ts';
import { type Authorities, type AuthorityMessage, AuthorityRejected, AuthorityUnavailable, type EInvoiceAuthority } from '../einvoice/authority.ts';
import { partyViolations, type Violation, validateEInvoice } from '../einvoice/cius-ro.ts';
import type { EAddress, EParty } from '../einvoice/document.ts';
import { eInvoiceOf, type SaleLine } from '../einvoice/from-invoice.ts';
import { DEFAULT_AUTHORITY } from '../einvoice/index.ts';
import { toUbl } from '../einvoice/ubl.ts';
import { addWorkingDays, SUBMISSION_WORKING_DAYS } from '../einvoice/working-days.ts';
import { EInvoice, type EInvoiceRow, Invoice, type InvoiceRow, SellerProfile, type SellerProfileRow, StoreSetting } from '../entities.ts';
import { publishEInvoiceStatusChanged } from '../events.ts';
import { tenantOf } from './common.ts';

/**
 * Romanian e-Factura for issued invoices that need one (eInvoiceStatus DRAFT: a Romanian
 * seller invoicing a company). Queueing builds the UBL from the invoice, its order's lines, the
 * seller's profile and the buyer as the caller gives it (customers keeps addresses out of its
 * events, so fiscal cannot know the buyer's billing address by itself), checks it against the
 * CIUS-RO rules and keeps it QUEUED; the submitter below takes it to the authority.
 */

export interface AddressInput {
  street: string;
  city: string;
  county?: string | null;
  postalCode?: string | null;
  countryCode: string;
}

export interface PartyInput {
  name: string;
  vatId?: string | null;
  companyId?: string | null;
  address: AddressInput;
}

const clean = (v: string | null | undefined) => (typeof v === 'string' && v.trim() ? v.trim() : null);

function toAddress(a: AddressInput): EAddress {
  return {
    street: a.street?.trim() ?? '',
    city: a.city?.trim() ?? '',
    countySubdivision: clean(a.county)?.toUpperCase() ?? null,
    postalCode: clean(a.postalCode),
    countryCode: (a.countryCode ?? '').trim().toUpperCase(),
  };
}

function toParty(p: PartyInput): EParty {
  return {
    name: p.name?.trim() ?? '',
    vatId: clean(p.vatId)?.toUpperCase() ?? null,
    companyId: clean(p.companyId)?.toUpperCase() ?? null,
    address: toAddress(p.address ?? ({} as AddressInput)),
  };
}

/** CIUS-RO violations as userErrors: code CIUS_RO_<code>, the rule and element path in the message. */
function refused(violations: Violation[], field: string[]): DomainError {
  return DomainError.many(violations.map((v) => userError(`CIUS_RO_${v.code}`, `${v.rule} ${v.path}: ${v.message}`, field)));
}

export function sellerParty(profile: SellerProfileRow): EParty {
  return {
    name: profile.legalName,
    vatId: profile.vatId ?? null,
    companyId: profile.companyId,
    address: {
      street: profile.street,
      city: profile.city,
      countySubdivision: profile.county ?? null,
      postalCode: profile.postalCode ?? null,
      countryCode: profile.countryCode,
    },
  };
}

export async function configureSellerProfile(
  tx: EntityManager,
  input: PartyInput & { tradeRegister?: string | null; iban?: string | null; authority?: string | null },
): Promise<SellerProfileRow> {
  const party = toParty(input);
  const violations = partyViolations(party, 'seller');
  if (!party.companyId)
    violations.push({ code: 'SELLER_ID', rule: 'CIUS-RO', path: 'companyId', message: "the seller's legal registration id (CUI) is required" });
  if (violations.length) throw refused(violations, ['input']);
  const iban = clean(input.iban)?.replace(/\s+/g, '').toUpperCase() ?? null;
  if (iban && !/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban))
    throw new DomainError('INVALID_IBAN', 'the IBAN is two letters, two check digits and 10-30 letters or digits', ['input', 'iban']);
  const authority = clean(input.authority);
  if (authority && !/^[a-z0-9][a-z0-9._-]{0,49}$/.test(authority)) {
    throw new DomainError('INVALID_AUTHORITY', 'an authority is named by 1-50 lower-case letters, digits and . _ -', ['input', 'authority']);
  }
  const tenantId = tenantOf(tx);
  const profile =
    (await tx.findOne(SellerProfile, { tenantId }, { refresh: true })) ??
    tx.create(SellerProfile, {
      tenantId,
      legalName: party.name,
      companyId: party.companyId!,
      street: party.address.street,
      city: party.address.city,
      countryCode: party.address.countryCode,
      authority: DEFAULT_AUTHORITY,
      updatedAt: new Date(),
    });
  Object.assign(profile, {
    legalName: party.name,
    vatId: party.vatId,
    companyId: party.companyId!,
    tradeRegister: clean(input.tradeRegister),
    street: party.address.street,
    city: party.address.city,
    county: party.address.countySubdivision,
    postalCode: party.address.postalCode,
    countryCode: party.address.countryCode,
    iban,
    authority: authority ?? profile.authority ?? DEFAULT_AUTHORITY,
    updatedAt: new Date(),
  });
  await tx.flush();
  return profile;
}

async function moveInvoice(tx: EntityManager, invoice: InvoiceRow, to: SubmissionStatus, einvoice: EInvoiceRow): Promise<void> {
  const from = invoice.eInvoiceStatus;
  if (from === to) return;
  if (!canMoveEInvoice(from, to)) throw new Error(`e-invoice of ${invoice.number}: no move from ${from} to ${to}`);
  invoice.eInvoiceStatus = to;
  invoice.updatedAt = new Date();
  await tx.flush();
  await publishEInvoiceStatusChanged(tx, invoice, from, einvoice);
}

export async function queueEInvoice(
  tx: EntityManager,
  input: { invoiceId: string; buyer: PartyInput; idempotencyKey: string },
  authorize: (storeId: string) => void,
): Promise<InvoiceRow> {
  const key = checkKey(input.idempotencyKey);
  const invoice = UUID.test(input.invoiceId)
    ? await tx.findOne(Invoice, { id: input.invoiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!invoice) throw new DomainError('INVOICE_NOT_FOUND', 'there is no such invoice', ['input', 'invoiceId']);
  authorize(invoice.storeId);
  const buyer = toParty(input.buyer);
  const requestFingerprint = fingerprint({ invoiceId: invoice.id, buyer });
  const earlier = await tx.findOne(EInvoice, { invoiceId: invoice.id }, { refresh: true });
  if (earlier?.queueKey === key) {
    if (earlier.queueFingerprint !== requestFingerprint) {
      throw new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different request', ['input', 'idempotencyKey']);
    }
    return invoice;
  }
  if (invoice.eInvoiceStatus === 'NOT_REQUIRED') {
    throw new DomainError('EINVOICE_NOT_REQUIRED', 'this invoice needs no e-invoice (not a Romanian seller invoicing a company)', [
      'input',
      'invoiceId',
    ]);
  }
  if (!canMoveEInvoice(invoice.eInvoiceStatus, 'QUEUED')) {
    throw new DomainError('EINVOICE_ALREADY_QUEUED', `the e-invoice is ${invoice.eInvoiceStatus}: only a DRAFT or REJECTED one is queued`, [
      'input',
      'invoiceId',
    ]);
  }
  const profile = await tx.findOne(SellerProfile, { tenantId: invoice.tenantId });
  if (!profile)
    throw new DomainError('SELLER_PROFILE_MISSING', "configure the seller's profile (configureSellerProfile) first", ['input', 'invoiceId']);
  const buyerProblems = partyViolations(buyer, 'buyer');
  if (buyerProblems.length) throw refused(buyerProblems, ['input', 'buyer']);

  const [sale] = invoice.orderId ? await tx.execute<{ lines: SaleLine[] }[]>('select lines from sale where order_id = ?', [invoice.orderId]) : [];
  const setting = await tx.findOne(StoreSetting, { storeId: invoice.storeId });
  const doc = eInvoiceOf(
    invoice,
    sale?.lines ?? [],
    { seller: sellerParty(profile), buyer, payeeIban: profile.iban ?? null },
    setting?.timezone ?? DEFAULT_TIMEZONE,
  );
  const violations = validateEInvoice(doc);
  if (violations.length) throw refused(violations, ['input', 'invoiceId']);

  const now = new Date();
  const fields = {
    kind: doc.kind,
    status: 'QUEUED' as const,
    authority: profile.authority,
    sellerCif: (profile.vatId ?? profile.companyId).replace(/^RO/i, ''),
    buyer,
    xml: toUbl(doc),
    queueKey: key,
    queueFingerprint: requestFingerprint,
    deadline: addWorkingDays(doc.issueDate, SUBMISSION_WORKING_DAYS),
    uploadIndex: null,
    downloadId: null,
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    messages: [],
    queuedAt: now,
    submittedAt: null,
    decidedAt: null,
  };
  const einvoice = earlier ? Object.assign(earlier, fields) : tx.create(EInvoice, { invoiceId: invoice.id, tenantId: invoice.tenantId, ...fields });
  await tx.flush();
  await moveInvoice(tx, invoice, 'QUEUED', einvoice);
  return invoice;
}

export interface SubmitterOptions {
  intervalMs: number;
  batchSize: number;
}

export const DEFAULT_SUBMITTER: SubmitterOptions = { intervalMs: 1_000, batchSize: 100 };

/** Ends an e-invoice at the authority's verdict. */
async function decide(
  tx: EntityManager,
  row: EInvoiceRow,
  invoice: InvoiceRow,
  to: 'ACCEPTED' | 'REJECTED',
  messages: AuthorityMessage[],
): Promise<void> {
  row.status = to;
  row.messages = messages;
  row.decidedAt = new Date();
  row.lastError = null;
  await tx.flush();
  await moveInvoice(tx, invoice, to, row);
}

/**
 * One step of one e-invoice, in a transaction bound to its tenant: the row is locked (SKIP
 * LOCKED: another submitter moves on), the authority is called once, and what it answered is
 * kept before the lock is let go, so two submitters never upload the same e-invoice. ANAF's
 * upload takes no client key: a crash after its answer and before the commit leaves the
 * e-invoice QUEUED and it is uploaded again (docs/fiscal.md says what to do with the twin).
 */
async function step(em: EntityManager, authorities: Authorities, invoiceId: string, now: Date, log: Logger): Promise<void> {
  await em.transactional(async (tx) => {
    const [locked] = await tx.execute<{ invoice_id: string }[]>(
      `select invoice_id from einvoice where invoice_id = ? and status in ('QUEUED', 'SUBMITTED') and next_attempt_at <= ? for update skip locked`,
      [invoiceId, now],
    );
    if (!locked) return;
    const row = await tx.findOneOrFail(EInvoice, { invoiceId }, { refresh: true });
    const authority: EInvoiceAuthority | null = authorities.named(row.authority);
    if (!authority) return;
    const invoice = await tx.findOneOrFail(Invoice, { id: invoiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    try {
      if (row.status === 'QUEUED') {
        const { uploadIndex } = await authority.upload(row.xml, { sellerCif: row.sellerCif, standard: row.kind === 'INVOICE' ? 'UBL' : 'CN' });
        row.status = 'SUBMITTED';
        row.uploadIndex = uploadIndex;
        row.submittedAt = new Date();
        row.attempts = 0;
        row.lastError = null;
        row.nextAttemptAt = new Date(now.getTime() + statusPollDelayMs(0));
        await tx.flush();
        await moveInvoice(tx, invoice, 'SUBMITTED', row);
        return;
      }
      const status = await authority.status(row.uploadIndex!);
      if (status.state === 'processing') {
        row.attempts += 1;
        row.nextAttemptAt = new Date(now.getTime() + statusPollDelayMs(row.attempts));
        await tx.flush();
        return;
      }
      row.downloadId = status.downloadId;
      const messages = status.state === 'nok' ? (await authority.download(status.downloadId)).messages : [];
      await decide(tx, row, invoice, status.state === 'ok' ? 'ACCEPTED' : 'REJECTED', messages);
    } catch (error) {
      if (error instanceof AuthorityRejected) {
        await decide(tx, row, invoice, 'REJECTED', error.messages);
        return;
      }
      if (!(error instanceof AuthorityUnavailable)) throw error;
      row.attempts += 1;
      row.lastError = error.message.slice(0, 2000);
      row.nextAttemptAt = new Date(now.getTime() + uploadRetryDelayMs(row.attempts));
      await tx.flush();
      const late = now.toISOString().slice(0, 10) > row.deadline;
      log[late ? 'error' : 'warn'](
        { invoiceId, authority: row.authority, attempts: row.attempts, deadline: row.deadline, err: error },
        late ? 'e-invoice past its submission deadline; the authority is unavailable' : 'e-invoice authority unavailable; will retry',
      );
    }
  });
}

/** One pass: the due e-invoices of the authorities this process has, nearest deadline first. */
export async function submitDueEInvoices(
  orm: MikroORM,
  authorities: Authorities,
  log: Logger,
  options: { batchSize: number; now?: Date } = DEFAULT_SUBMITTER,
): Promise<number> {
  const names = authorities.names();
  if (!names.length) return 0;
  const now = options.now ?? new Date();
  const due = await orm.em
    .fork()
    // authority names hold no comma; a JS array would be expanded into a list of parameters
    .execute<{ tenant_id: string; invoice_id: string }[]>("select tenant_id, invoice_id from due_einvoices(string_to_array(?, ','), ?, ?)", [
      names.join(','),
      now,
      options.batchSize,
    ]);
  for (const { tenant_id: tenantId, invoice_id: invoiceId } of due) await step(tenantEm(orm, tenantId), authorities, invoiceId, now, log);
  return due.length;
}

/** Starts the submitter; the stopper waits for a pass in progress. */
export function startEInvoiceSubmitter(orm: MikroORM, authorities: Authorities, log: Logger, options: SubmitterOptions): () => Promise<void> {
  return runPeriodically(() => submitDueEInvoices(orm, authorities, log, options), {
    intervalMs: options.intervalMs,
    log,
    what: 'e-invoice submission pass',
  });
}
