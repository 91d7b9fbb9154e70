import { appRole, tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 4, selling at the counter: the catalog editor (archiving, VAT rates with validity
 * dates), price lists with quantity tiers and customer segments, promotions and vouchers with
 * exact usage limits, order notes, and the pending-order timeout.
 */
export class OrdersCatalogPricing extends Migration {
  override async up(): Promise<void> {
    // a store may never time out its pending orders (null)
    this.addSql('alter table store alter column pending_timeout_minutes drop not null');

    this.addSql(`alter table product
      add column archived_at timestamptz,
      add column updated_at timestamptz not null default now()`);
    this.addSql(`alter table product_variant
      add column archived_at timestamptz,
      add column updated_at timestamptz not null default now()`);
    // SKUs are stored upper-case; this keeps two spellings of one SKU out even for older rows
    this.addSql('create unique index product_variant_sku_folded on product_variant (tenant_id, upper(sku))');
    // a scanned barcode names one article: unique among the variants still sold
    this.addSql(`create unique index product_variant_barcode_sold on product_variant (tenant_id, barcode)
      where barcode is not null and archived_at is null`);

    // The rate over time: each row starts on a date in the selling store's timezone and lasts
    // until the next; '-infinity' is the rate the variant was created with.
    this.addSql(`create table variant_vat_rate (
      tenant_id text not null,
      variant_id uuid not null references product_variant (id) deferrable initially deferred,
      valid_from date not null,
      rate numeric(5,2) not null check (rate >= 0 and rate < 100),
      created_at timestamptz not null default now(),
      created_by text,
      primary key (variant_id, valid_from)
    )`);
    // the backfill must see every tenant's rows, also when the migrating role is a plain owner
    this.addSql('alter table product_variant no force row level security');
    this.addSql(`insert into variant_vat_rate (tenant_id, variant_id, valid_from, rate)
      select tenant_id, id, '-infinity', vat_rate from product_variant`);
    this.addSql('alter table product_variant force row level security');
    this.addSql('alter table product_variant drop column vat_rate');

    // the default price list: a variant's own quantity tiers beside its list price
    this.addSql(`create table variant_price_tier (
      tenant_id text not null,
      variant_id uuid not null references product_variant (id) deferrable initially deferred,
      min_quantity numeric(18,3) not null check (min_quantity > 0),
      unit_price numeric(18,4) not null check (unit_price >= 0),
      primary key (variant_id, min_quantity)
    )`);

    this.addSql(`create table price_list (
      id uuid primary key,
      tenant_id text not null,
      name text not null,
      segment text not null check (segment ~ '^[A-Z0-9][A-Z0-9_-]{0,39}$'),
      request_fingerprint text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint price_list_segment unique (tenant_id, segment)
    )`);
    this.addSql(`create table price_list_tier (
      tenant_id text not null,
      price_list_id uuid not null references price_list (id) deferrable initially deferred,
      variant_id uuid not null references product_variant (id) deferrable initially deferred,
      min_quantity numeric(18,3) not null check (min_quantity > 0),
      unit_price numeric(18,4) not null check (unit_price >= 0),
      primary key (price_list_id, variant_id, min_quantity)
    )`);
    // which segment a customer buys in: a commercial term kept beside the price lists
    this.addSql(`create table customer_price_segment (
      tenant_id text not null,
      customer_id uuid not null,
      segment text not null,
      updated_at timestamptz not null,
      updated_by text not null,
      primary key (tenant_id, customer_id)
    )`);

    this.addSql(`create table promotion (
      id uuid primary key,
      tenant_id text not null,
      code text not null check (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
      name text not null,
      kind text not null check (kind in ('PERCENTAGE', 'FIXED_AMOUNT')),
      value numeric(18,4) not null check (value > 0),
      min_order_amount numeric(18,4) check (min_order_amount >= 0),
      max_discount numeric(18,4) check (max_discount > 0),
      valid_from timestamptz,
      valid_until timestamptz,
      usage_limit integer check (usage_limit > 0),
      times_used integer not null default 0 check (times_used >= 0),
      stackable boolean not null default false,
      active boolean not null default true,
      request_fingerprint text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint promotion_code unique (tenant_id, code),
      constraint promotion_validity check (valid_until > valid_from),
      -- the limit holds even if the service had a bug: the claim is a guarded update
      constraint promotion_usage check (usage_limit is null or times_used <= usage_limit)
    )`);
    this.addSql('create index promotion_page on promotion (tenant_id, code, id)');
    // one row per use: what the order got (kept when the order is cancelled, with released_at)
    this.addSql(`create table promotion_redemption (
      id uuid primary key,
      tenant_id text not null,
      promotion_id uuid not null references promotion (id) deferrable initially deferred,
      order_id uuid not null references sales_order (id) deferrable initially deferred,
      position integer not null,
      code text not null,
      name text not null,
      kind text not null,
      value numeric(18,4) not null,
      amount numeric(18,4) not null check (amount >= 0),
      created_at timestamptz not null,
      released_at timestamptz,
      unique (order_id, promotion_id)
    )`);
    this.addSql('create index promotion_redemption_promotion on promotion_redemption (promotion_id, created_at)');

    this.addSql(`alter table order_line
      add column list_price numeric(18,4),
      add column price_list_id uuid`);

    this.addSql(`create table order_note (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null references sales_order (id) deferrable initially deferred,
      text text not null,
      author text not null,
      idempotency_key text not null,
      created_at timestamptz not null,
      constraint order_note_key unique (order_id, idempotency_key)
    )`);
    this.addSql('create index order_note_order on order_note (order_id, created_at, id)');

    // create mutations a client may retry: the key, the request's fingerprint and what it made
    this.addSql(`create table idempotency_record (
      tenant_id text not null,
      scope text not null,
      key text not null,
      request_fingerprint text not null,
      result_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, scope, key)
    )`);

    // the pending-order timeout: set when orders first hears of a payment on the order
    this.addSql('alter table sales_order add column payment_seen_at timestamptz');
    this.addSql(`create index sales_order_pending_timeout on sales_order (created_at)
      where status = 'PENDING' and channel in ('WEB', 'MOBILE') and not pay_on_account and payment_seen_at is null`);

    for (const table of [
      'variant_vat_rate',
      'variant_price_tier',
      'price_list',
      'price_list_tier',
      'customer_price_segment',
      'promotion',
      'promotion_redemption',
      'order_note',
      'idempotency_record',
    ]) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }

    /*
     * The timeout job must find expired orders of every tenant, while RLS shows the orders role
     * one tenant per transaction. This function, owned by the migrating admin and running with
     * its rights, lists only (tenant, order) pairs; the job then cancels each in a transaction
     * bound to its tenant, under RLS as usual, after re-checking it under the row lock
     * (domain/pending-timeout.ts says the same rule in code).
     */
    this.addSql(`create function expired_pending_orders(max_rows integer)
      returns table (tenant_id text, order_id uuid)
      language sql stable security definer
      set search_path = orders, pg_temp
      as $$
        select o.tenant_id, o.id from sales_order o join store s on s.id = o.store_id
         where o.status = 'PENDING' and o.channel in ('WEB', 'MOBILE') and not o.pay_on_account
           and o.payment_seen_at is null and s.pending_timeout_minutes is not null
           and o.created_at < now() - make_interval(mins => s.pending_timeout_minutes)
         order by o.created_at
         limit least(max_rows, 1000)
      $$`);
    this.addSql('revoke all on function expired_pending_orders(integer) from public');
    this.addSql(`grant execute on function expired_pending_orders(integer) to ${appRole('orders')}`);
    // FORCE RLS binds a table owner without superuser or BYPASSRLS too: let the function (as owner) read
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = current_user and (rolsuper or rolbypassrls)) then
        execute format('create policy sales_order_timeout_scan on sales_order for select to %I using (true)', current_user);
        execute format('create policy store_timeout_scan on store for select to %I using (true)', current_user);
      end if;
    end $$`);
  }
}
