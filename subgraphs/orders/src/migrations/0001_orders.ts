import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

const STATUS = `('PENDING', 'CONFIRMED', 'PROCESSING', 'COMPLETED', 'CANCELLED')`;
const CHANNEL = `('POS', 'WEB', 'MOBILE', 'MARKETPLACE', 'B2B')`;

// Entities hold plain ids (no ORM relations), so the unit of work may insert a child before its
// parent within one flush: foreign keys are checked at commit instead.
export class OrdersInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table store (
      id uuid primary key,
      tenant_id text not null,
      name text not null,
      currency_code text not null check (currency_code ~ '^[A-Z]{3}$'),
      country_code text not null check (country_code ~ '^[A-Z]{2}$'),
      timezone text not null,
      prices_include_vat boolean not null default true,
      pending_timeout_minutes integer not null default 30 check (pending_timeout_minutes > 0),
      order_number_prefix text not null default 'S' check (order_number_prefix ~ '^[A-Z0-9]{1,6}$'),
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index store_tenant on store (tenant_id, created_at, id)');

    this.addSql(`create table product (
      id uuid primary key,
      tenant_id text not null,
      name text not null,
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index product_page on product (tenant_id, name, id)');

    this.addSql(`create table product_variant (
      id uuid primary key,
      tenant_id text not null,
      product_id uuid not null references product (id) deferrable initially deferred,
      position integer not null default 0,
      sku text not null,
      barcode text check (barcode ~ '^[0-9]{13}$'),
      name text not null,
      price numeric(18,4) not null check (price >= 0),
      vat_rate numeric(5,2) not null check (vat_rate >= 0 and vat_rate < 100),
      created_at timestamptz not null default now(),
      unique (tenant_id, sku)
    )`);
    this.addSql('create index product_variant_product on product_variant (product_id, position, id)');
    this.addSql('create index product_variant_barcode on product_variant (tenant_id, barcode)');

    this.addSql(`create table sales_order (
      id uuid primary key,
      tenant_id text not null,
      store_id uuid not null references store (id) deferrable initially deferred,
      number text not null,
      client_order_id text not null,
      request_fingerprint text not null,
      channel text not null check (channel in ${CHANNEL}),
      status text not null check (status in ${STATUS}),
      customer_id uuid,
      pay_on_account boolean not null default false,
      note text,
      currency_code text not null,
      prices_include_vat boolean not null,
      subtotal numeric(18,4) not null,
      discount_total numeric(18,4) not null,
      tax_total numeric(18,4) not null,
      total numeric(18,4) not null,
      vat_breakdown jsonb not null default '[]',
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint sales_order_client_key unique (tenant_id, store_id, client_order_id),
      constraint sales_order_number_key unique (tenant_id, store_id, number)
    )`);
    this.addSql('create index sales_order_page on sales_order (tenant_id, store_id, created_at desc, id desc)');
    this.addSql('create index sales_order_customer on sales_order (tenant_id, customer_id, created_at desc, id desc) where customer_id is not null');
    this.addSql(`create index sales_order_open on sales_order (tenant_id, store_id) where status in ('PENDING', 'CONFIRMED', 'PROCESSING')`);

    this.addSql(`create table order_line (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null references sales_order (id) deferrable initially deferred,
      position integer not null,
      variant_id uuid not null references product_variant (id) deferrable initially deferred,
      sku text not null,
      name text not null,
      quantity numeric(18,3) not null check (quantity > 0),
      unit_price numeric(18,4) not null check (unit_price >= 0),
      vat_rate numeric(5,2) not null,
      discount numeric(18,4) not null default 0,
      net_amount numeric(18,4) not null,
      tax_amount numeric(18,4) not null,
      total numeric(18,4) not null,
      unique (order_id, position)
    )`);

    this.addSql(`create table order_event (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null references sales_order (id) deferrable initially deferred,
      type text not null,
      from_status text check (from_status in ${STATUS}),
      to_status text check (to_status in ${STATUS}),
      actor text not null,
      reason text,
      data jsonb,
      at timestamptz not null
    )`);
    this.addSql('create index order_event_order on order_event (order_id, at, id)');
    // The history is evidence: the app role may append to it, never rewrite it.
    this.addSql(`create function order_event_immutable() returns trigger language plpgsql as $$
      begin raise exception 'order_event rows are immutable'; end $$`);
    this.addSql(`create trigger order_event_immutable before update or delete on order_event
      for each row execute function order_event_immutable()`);

    // One row per store, locked by each placement, so numbers have no gaps and no duplicates.
    this.addSql(`create table order_number_counter (
      tenant_id text not null,
      store_id uuid not null references store (id) deferrable initially deferred,
      last_number bigint not null,
      primary key (tenant_id, store_id)
    )`);

    for (const table of ['store', 'product', 'product_variant', 'sales_order', 'order_line', 'order_event', 'order_number_counter']) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }
  }
}

export const migrations = [{ name: '0001_orders', class: OrdersInit }];
