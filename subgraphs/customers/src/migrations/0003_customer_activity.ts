import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * What customers buy, learned from orders' events (domain/activity.ts): one row per order placed
 * with a customer, and the projection per customer kept beside it (counts, first and last
 * purchase, spend per currency) for Customer.stats, the search filters and StoreMetrics.
 */
export class CustomerActivity extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table customer_purchase (
      tenant_id text not null,
      order_id uuid not null,
      -- the customer it counts for: the order's, or the one that customer was merged into
      customer_id uuid not null,
      store_id uuid not null,
      placed_at timestamptz not null,
      total numeric(18,4) not null check (total >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      cancelled_at timestamptz,
      primary key (tenant_id, order_id)
    )`);
    this.addSql('create index customer_purchase_customer on customer_purchase (tenant_id, customer_id, placed_at) where cancelled_at is null');
    // customersToday: the distinct customers of one store's day
    this.addSql(
      'create index customer_purchase_store_day on customer_purchase (tenant_id, store_id, placed_at) include (customer_id) where cancelled_at is null',
    );

    this.addSql(`create table customer_activity (
      tenant_id text not null,
      customer_id uuid not null,
      orders_count int not null check (orders_count >= 0),
      first_purchase_at timestamptz,
      first_store_id uuid,
      first_order_id uuid,
      last_purchase_at timestamptz,
      last_store_id uuid,
      last_order_id uuid,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, customer_id),
      check ((orders_count = 0) = (first_purchase_at is null) and (orders_count = 0) = (last_purchase_at is null))
    )`);
    // newCustomersToday: customers whose first purchase was in one store's day
    this.addSql('create index customer_activity_first on customer_activity (tenant_id, first_store_id, first_purchase_at) where orders_count > 0');
    this.addSql('create index customer_activity_last on customer_activity (tenant_id, last_purchase_at) where orders_count > 0');

    this.addSql(`create table customer_spend (
      tenant_id text not null,
      customer_id uuid not null,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      amount numeric(18,4) not null check (amount >= 0),
      primary key (tenant_id, customer_id, currency)
    )`);
    for (const table of ['customer_purchase', 'customer_activity', 'customer_spend']) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }
  }
}
