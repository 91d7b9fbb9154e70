import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * What credit learned from the customers subgraph about the customer ids it keeps: merged into
 * whom, and erased when (services/customer-changes.ts). Reservations of a merged id are held
 * for its survivor; an erased id gets no profile again.
 */
export class CreditCustomerLinks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table customer_link (
      tenant_id text not null,
      customer_id uuid not null,
      merged_into_id uuid,
      merged_at timestamptz,
      erased_at timestamptz,
      primary key (tenant_id, customer_id),
      check ((merged_into_id is null) = (merged_at is null)),
      check (merged_into_id is distinct from customer_id)
    )`);
    this.addSql('create index customer_link_merged_into on customer_link (tenant_id, merged_into_id) where merged_into_id is not null');
    for (const sql of tenantIsolation('customer_link')) this.addSql(sql);
  }
}
