import { appRole, tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * Romanian e-Factura: the seller's profile per tenant (what the e-invoice says about the
 * seller, and which authority it goes to) and one e-invoice per invoice, from QUEUED through the
 * authority to ACCEPTED or REJECTED, with the authority's messages.
 */
export class FiscalEInvoices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table seller_profile (
      tenant_id text primary key,
      legal_name text not null,
      vat_id text,
      company_id text not null,
      trade_register text,
      street text not null,
      city text not null,
      county text,
      postal_code text,
      country_code text not null check (country_code ~ '^[A-Z]{2}$'),
      iban text,
      authority text not null default 'sandbox',
      updated_at timestamptz not null default now()
    )`);

    this.addSql(`create table einvoice (
      invoice_id uuid primary key references invoice (id),
      tenant_id text not null,
      kind text not null check (kind in ('INVOICE', 'CREDIT_NOTE')),
      status text not null check (status in ('QUEUED', 'SUBMITTED', 'ACCEPTED', 'REJECTED')),
      authority text not null,
      seller_cif text not null,
      buyer jsonb not null,
      xml text not null,
      queue_key text not null,
      queue_fingerprint text not null,
      deadline date not null,
      upload_index text,
      download_id text,
      attempts integer not null default 0 check (attempts >= 0),
      next_attempt_at timestamptz not null,
      last_error text,
      messages jsonb not null default '[]',
      queued_at timestamptz not null,
      submitted_at timestamptz,
      decided_at timestamptz
    )`);
    this.addSql(`create index einvoice_open on einvoice (authority, deadline) where status in ('QUEUED', 'SUBMITTED')`);
    for (const table of ['seller_profile', 'einvoice']) for (const sql of tenantIsolation(table)) this.addSql(sql);

    /*
     * The submitter serves every tenant, while RLS shows the fiscal role one tenant per
     * transaction: this function (owned by the migrating admin, running with its rights) lists
     * only the (tenant, invoice) pairs due at the given authorities, nearest deadline first; the
     * submitter then locks and drives each one in a transaction bound to its tenant, under RLS.
     */
    this.addSql(`create function due_einvoices(authorities text[], due_at timestamptz, max_rows integer)
      returns table (tenant_id text, invoice_id uuid)
      language sql stable security definer
      set search_path = fiscal, pg_temp
      as $$
        select e.tenant_id, e.invoice_id from einvoice e
         where e.status in ('QUEUED', 'SUBMITTED') and e.authority = any(authorities) and e.next_attempt_at <= due_at
         order by e.deadline, e.queued_at
         limit least(max_rows, 1000)
      $$`);
    this.addSql('revoke all on function due_einvoices(text[], timestamptz, integer) from public');
    this.addSql(`grant execute on function due_einvoices(text[], timestamptz, integer) to ${appRole('fiscal')}`);
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = current_user and (rolsuper or rolbypassrls)) then
        execute format('create policy einvoice_due_scan on einvoice for select to %I using (true)', current_user);
      end if;
    end $$`);
  }
}
