import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';
import { CONSENT_SOURCES } from '../domain/consent.ts';
import { emailKey, nameKey, phoneKey, taxKey } from '../domain/normalize.ts';

const SOURCES = CONSENT_SOURCES.map((s) => `'${s}'`).join(', ');

/**
 * Addresses (several per customer, with defaults), notes, marketing consent and its history,
 * merge tombstones, erasure, client keys for createCustomer, and match keys for search,
 * import and duplicate detection. Statements run in order (execute, not addSql) because the
 * match keys of existing customers are computed by the same code that keeps them afterwards;
 * executed statements run before the migrator sets the schema, so this migration sets it.
 */
export class CustomerCare extends Migration {
  override async up(): Promise<void> {
    const schema = String(this.config.get('schema'));
    if (!/^[a-z_]+$/.test(schema)) throw new Error(`unexpected schema name ${schema}`);
    await this.execute(`set local search_path to ${schema}`);
    // trigram indexes make "contains" searches on names fast; the extension lives in public, shared by the database
    await this.execute('create extension if not exists pg_trgm with schema public');
    await this.execute(`alter table customer
      add column status text not null default 'ACTIVE' check (status in ('ACTIVE', 'MERGED', 'ERASED')),
      add column notes text,
      add column marketing_consent boolean not null default false,
      add column marketing_consent_at timestamptz,
      add column marketing_consent_source text check (marketing_consent_source in (${SOURCES})),
      add column vat_registered boolean,
      add column registry_active boolean,
      add column registry_checked_at timestamptz,
      add column merged_into_id uuid references customer (id),
      add column merged_at timestamptz,
      add column erased_at timestamptz,
      add column erasure_reason text,
      add column idempotency_key text,
      add column request_fingerprint text,
      add column name_key text not null default '',
      add column email_key text,
      add column phone_key text,
      add column tax_key text,
      add column updated_at timestamptz not null default now(),
      add constraint customer_tombstone check ((status = 'MERGED') = (merged_into_id is not null)),
      add constraint customer_idempotency unique (tenant_id, idempotency_key)`);
    const existing = (await this.execute('select id, name, email, phone, tax_id from customer')) as {
      id: string;
      name: string;
      email: string | null;
      phone: string | null;
      tax_id: string | null;
    }[];
    for (const c of existing) {
      await this.execute('update customer set name_key = ?, email_key = ?, phone_key = ?, tax_key = ? where id = ?', [
        nameKey(c.name),
        emailKey(c.email),
        phoneKey(c.phone),
        taxKey(c.tax_id),
        c.id,
      ]);
    }

    await this.execute(`create table customer_address (
      id uuid primary key,
      tenant_id text not null,
      -- deferred: the ORM does not order inserts of unrelated entities, and one transaction writes both
      customer_id uuid not null references customer (id) deferrable initially deferred,
      label text,
      line1 text not null,
      city text not null,
      region text,
      postal_code text,
      country_code text not null check (country_code ~ '^[A-Z]{2}$'),
      default_billing boolean not null default false,
      default_shipping boolean not null default false,
      created_at timestamptz not null default now(),
      -- deferred: moving the default from one address to another is two row changes in one transaction
      constraint customer_address_one_billing exclude using btree (customer_id with =) where (default_billing) deferrable initially deferred,
      constraint customer_address_one_shipping exclude using btree (customer_id with =) where (default_shipping) deferrable initially deferred
    )`);
    await this.execute('create index customer_address_customer on customer_address (tenant_id, customer_id, created_at)');
    // before the copy below: its deferred checks stay pending until commit, and a table with pending checks cannot be altered
    for (const sql of tenantIsolation('customer_address')) await this.execute(sql);
    await this.execute(`insert into customer_address
        (id, tenant_id, customer_id, line1, city, region, postal_code, country_code, default_billing, default_shipping, created_at)
      select gen_random_uuid(), tenant_id, id, address->>'line1', address->>'city', address->>'region', address->>'postalCode',
             upper(address->>'countryCode'), true, true, created_at
        from customer
       where address->>'line1' is not null and address->>'city' is not null and address->>'countryCode' ~* '^[a-z]{2}$'`);
    await this.execute('alter table customer drop column address');

    await this.execute(`create table marketing_consent_change (
      id uuid primary key,
      tenant_id text not null,
      customer_id uuid not null references customer (id) deferrable initially deferred,
      granted boolean not null,
      source text not null check (source in (${SOURCES})),
      given_at timestamptz not null,
      recorded_at timestamptz not null default now(),
      recorded_by text not null
    )`);
    await this.execute('create index marketing_consent_change_customer on marketing_consent_change (tenant_id, customer_id, given_at)');

    await this.execute('drop index customer_tax_id');
    await this.execute('create index customer_tax_key on customer (tenant_id, tax_key) where tax_key is not null');
    await this.execute('create index customer_email_key on customer (tenant_id, email_key) where email_key is not null');
    await this.execute('create index customer_phone_key on customer (tenant_id, phone_key) where phone_key is not null');
    await this.execute('create index customer_merged_into on customer (tenant_id, merged_into_id) where merged_into_id is not null');
    await this.execute('create index customer_name_trgm on customer using gin (name_key public.gin_trgm_ops)');
    for (const sql of tenantIsolation('marketing_consent_change')) await this.execute(sql);
  }
}
