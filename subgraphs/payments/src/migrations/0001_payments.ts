import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

const METHODS = `'CASH', 'CARD', 'QR_CODE', 'E_WALLET', 'BANK_TRANSFER', 'ON_ACCOUNT', 'VOUCHER'`;
const STATES = `'PENDING', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED'`;

export class PaymentsInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table order_account (
      tenant_id text not null,
      order_id uuid not null,
      store_id uuid not null,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      total numeric(18,4) not null check (total >= 0),
      channel text not null,
      customer_id uuid,
      pay_on_account boolean not null default false,
      placed_at timestamptz not null,
      primary key (tenant_id, order_id)
    )`);
    this.addSql(`create table payment (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null,
      store_id uuid not null,
      method text not null check (method in (${METHODS})),
      state text not null check (state in (${STATES})),
      amount numeric(18,4) not null check (amount > 0),
      refunded_amount numeric(18,4) not null default 0 check (refunded_amount >= 0 and refunded_amount <= amount),
      currency text not null,
      tendered numeric(18,4),
      change_amount numeric(18,4) check (change_amount >= 0),
      provider text,
      provider_reference text,
      idempotency_key text not null,
      request_fingerprint text not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      captured_at timestamptz,
      updated_at timestamptz not null default now(),
      foreign key (tenant_id, order_id) references order_account (tenant_id, order_id),
      unique (tenant_id, idempotency_key)
    )`);
    this.addSql('create index payment_order on payment (tenant_id, order_id, created_at)');
    this.addSql('create index payment_store_captured on payment (tenant_id, store_id, captured_at) where captured_at is not null');
    this.addSql(`create table refund (
      id uuid primary key,
      tenant_id text not null,
      payment_id uuid not null references payment (id),
      order_id uuid not null,
      store_id uuid not null,
      amount numeric(18,4) not null check (amount > 0),
      currency text not null,
      reason text not null,
      provider_reference text,
      idempotency_key text not null,
      request_fingerprint text not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      unique (tenant_id, idempotency_key)
    )`);
    this.addSql('create index refund_payment on refund (tenant_id, payment_id)');
    this.addSql('create index refund_store_created on refund (tenant_id, store_id, created_at)');
    for (const table of ['order_account', 'payment', 'refund']) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }
  }
}

export const migrations = [{ name: '0001_payments', class: PaymentsInit }];
