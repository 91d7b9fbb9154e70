import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

const JOB_STATUSES = `'QUEUED', 'SENT', 'PRINTED', 'FAILED', 'UNCERTAIN', 'CANCELLED'`;
const INVOICE_STATUSES = `'DRAFT', 'ISSUED', 'PARTIALLY_PAID', 'PAID', 'CANCELLED'`;
const E_INVOICE_STATUSES = `'NOT_REQUIRED', 'DRAFT', 'QUEUED', 'SUBMITTED', 'ACCEPTED', 'REJECTED'`;

export class FiscalInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table printer (
      id uuid primary key,
      tenant_id text not null,
      store_id uuid not null,
      name text not null,
      kind text not null default 'RECEIPT' check (kind in ('RECEIPT')),
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index printer_store on printer (tenant_id, store_id, created_at, id)');

    // Gap-free numbering: the row is locked by the increment until the issuing transaction ends,
    // and a rollback gives the number back (a sequence would leave a gap). scope is the store for
    // receipts and '*' for tenant-wide series (invoices).
    this.addSql(`create table document_counter (
      tenant_id text not null,
      scope text not null,
      series text not null,
      year integer not null,
      last_seq integer not null check (last_seq > 0),
      primary key (tenant_id, scope, series, year)
    )`);

    this.addSql(`create table receipt (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null,
      store_id uuid not null,
      series text not null,
      year integer not null,
      seq integer not null check (seq > 0),
      number text not null,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      total numeric(18,4) not null check (total >= 0),
      vat_breakdown jsonb not null,
      lines jsonb not null,
      payments jsonb not null,
      issued_at timestamptz not null default now(),
      unique (tenant_id, order_id),
      unique (tenant_id, store_id, series, year, seq)
    )`);
    this.addSql('create index receipt_store_issued on receipt (tenant_id, store_id, issued_at)');

    this.addSql(`create table invoice (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid,
      customer_id uuid not null,
      store_id uuid not null,
      series text not null,
      year integer not null,
      seq integer not null check (seq > 0),
      number text not null,
      status text not null check (status in (${INVOICE_STATUSES})),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      total numeric(18,4) not null check (total >= 0),
      vat_breakdown jsonb not null,
      issued_at timestamptz not null,
      due_date timestamptz not null,
      e_invoice_status text not null check (e_invoice_status in (${E_INVOICE_STATUSES})),
      updated_at timestamptz not null default now(),
      unique (tenant_id, order_id),
      unique (tenant_id, series, year, seq)
    )`);
    this.addSql('create index invoice_customer on invoice (tenant_id, customer_id, issued_at desc, id desc)');
    this.addSql(`create index invoice_open_due on invoice (tenant_id, store_id, due_date) where status in ('ISSUED', 'PARTIALLY_PAID')`);

    this.addSql(`create table print_job (
      id uuid primary key,
      tenant_id text not null,
      printer_id uuid not null references printer (id),
      store_id uuid not null,
      receipt_id uuid references receipt (id),
      status text not null check (status in (${JOB_STATUSES})),
      copy boolean not null default false,
      attempts integer not null default 0 check (attempts >= 0),
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create index print_job_pending on print_job (tenant_id, printer_id, created_at, id) where status not in ('PRINTED', 'CANCELLED')`);
    this.addSql('create index print_job_receipt on print_job (tenant_id, receipt_id, created_at, id)');

    // Issued fiscal documents are immutable in the database itself, whatever the code does:
    // corrections are new documents (credit notes), never edits.
    this.addSql(`create function receipt_immutable() returns trigger language plpgsql as $$
      begin
        raise exception 'receipt % is a fiscal document and cannot be changed or deleted', old.number using errcode = 'P0001';
      end $$`);
    this.addSql('create trigger receipt_immutable before update or delete on receipt for each row execute function receipt_immutable()');
    this.addSql(`create function invoice_immutable() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'invoice % cannot be deleted: issue a credit note', old.number using errcode = 'P0001';
        end if;
        if old.status <> 'DRAFT' and (
             new.number, new.series, new.year, new.seq, new.order_id, new.customer_id, new.store_id,
             new.currency, new.total, new.vat_breakdown, new.issued_at, new.due_date
           ) is distinct from (
             old.number, old.series, old.year, old.seq, old.order_id, old.customer_id, old.store_id,
             old.currency, old.total, old.vat_breakdown, old.issued_at, old.due_date
           ) then
          raise exception 'invoice % is issued: its number, parties and amounts cannot change', old.number using errcode = 'P0001';
        end if;
        return new;
      end $$`);
    this.addSql('create trigger invoice_immutable before update or delete on invoice for each row execute function invoice_immutable()');

    for (const table of ['printer', 'document_counter', 'receipt', 'invoice', 'print_job']) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }
  }
}

export const migrations = [{ name: '0001_fiscal', class: FiscalInit }];
