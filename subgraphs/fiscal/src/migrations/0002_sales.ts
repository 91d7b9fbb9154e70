import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * What fiscal learns from other subgraphs' events before it issues a document: the order as
 * placed (lines, VAT) and the payments of a sale. Events from orders and payments arrive on
 * independent streams, so each table is filled in whatever order they come.
 */
export class FiscalSales extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table sale (
      order_id uuid not null,
      tenant_id text not null,
      store_id uuid not null,
      channel text not null,
      customer_id uuid,
      pay_on_account boolean not null default false,
      currency text not null,
      total numeric(18,4) not null,
      vat_breakdown jsonb not null,
      lines jsonb not null,
      confirmed_at timestamptz,
      primary key (tenant_id, order_id)
    )`);
    this.addSql(`create table sale_payment (
      payment_id uuid not null,
      tenant_id text not null,
      order_id uuid not null,
      method text not null,
      amount numeric(18,4) not null,
      change numeric(18,4),
      primary key (tenant_id, payment_id)
    )`);
    this.addSql('create index sale_payment_order on sale_payment (tenant_id, order_id)');
    for (const table of ['sale', 'sale_payment']) for (const sql of tenantIsolation(table)) this.addSql(sql);
  }
}
