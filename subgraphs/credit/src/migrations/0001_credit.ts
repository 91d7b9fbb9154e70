import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

export class CreditInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table credit_profile (
      tenant_id text not null,
      customer_id uuid not null,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      registry_points int not null check (registry_points between 0 and 15),
      registry_note text,
      financials_points int not null check (financials_points between 0 and 30),
      financials_note text,
      behaviour_points int not null check (behaviour_points between 0 and 25),
      behaviour_note text,
      insolvency_points int not null check (insolvency_points between 0 and 20),
      insolvency_note text,
      litigation_points int not null check (litigation_points between 0 and 10),
      litigation_note text,
      annual_revenue numeric(18,4) not null check (annual_revenue >= 0),
      score int not null check (score = registry_points + financials_points + behaviour_points + insolvency_points + litigation_points),
      tier text not null check (tier in ('BLOCKED', 'LOW', 'MEDIUM', 'HIGH', 'PREMIUM')),
      credit_limit numeric(18,4) not null check (credit_limit >= 0),
      updated_by text not null,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, customer_id)
    )`);
    this.addSql(`create table credit_reservation (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null,
      customer_id uuid not null,
      store_id uuid not null,
      amount numeric(18,4) not null check (amount > 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      state text not null check (state in ('HELD', 'RELEASED', 'CONSUMED', 'REJECTED')),
      reason text check ((state = 'REJECTED') = (reason is not null)),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, order_id)
    )`);
    // the sums behind reserved and creditExposure read only outstanding (HELD, CONSUMED) rows
    this.addSql(
      `create index credit_reservation_held_customer on credit_reservation (tenant_id, customer_id) include (amount, currency) where state in ('HELD', 'CONSUMED')`,
    );
    this.addSql(
      `create index credit_reservation_held_store on credit_reservation (tenant_id, store_id) include (amount, currency) where state in ('HELD', 'CONSUMED')`,
    );
    for (const table of ['credit_profile', 'credit_reservation']) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }
  }
}

export const migrations = [{ name: '0001_credit', class: CreditInit }];
