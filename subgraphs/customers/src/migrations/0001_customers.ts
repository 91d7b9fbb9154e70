import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

export class CustomersInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table customer (
      id uuid primary key,
      tenant_id text not null,
      kind text not null check (kind in ('PERSON', 'COMPANY')),
      name text not null,
      email text,
      phone text,
      tax_id text,
      tags text[] not null default '{}',
      address jsonb,
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index customer_page on customer (tenant_id, created_at desc, id desc)');
    this.addSql('create index customer_tags on customer using gin (tags)');
    this.addSql('create index customer_tax_id on customer (tenant_id, tax_id)');
    for (const sql of tenantIsolation('customer')) this.addSql(sql);
  }
}

export const migrations = [{ name: '0001_customers', class: CustomersInit }];
