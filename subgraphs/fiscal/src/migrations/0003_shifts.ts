import { tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * POS shifts (one OPEN per store), their cash movements, the refunds fiscal hears of, and the
 * per-store settings (currency of the drawer, the fiscal path of step 4). Receipts and print
 * jobs learn which shift they belong to; sales keep their discounts for the Z report.
 */
export class FiscalShifts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table store_setting (
      tenant_id text not null,
      store_id uuid not null,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      timezone text not null,
      country_code text not null check (country_code ~ '^[A-Z]{2}$'),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, store_id)
    )`);

    this.addSql(`create table shift (
      id uuid primary key,
      tenant_id text not null,
      store_id uuid not null,
      printer_id uuid not null references printer (id),
      status text not null check (status in ('OPEN', 'CLOSED')),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      opening_float numeric(18,4) not null check (opening_float >= 0),
      opened_at timestamptz not null,
      opened_by text not null,
      open_key text not null,
      open_fingerprint text not null,
      closed_at timestamptz,
      closed_by text,
      close_key text,
      close_fingerprint text,
      counted_cash numeric(18,4) check (counted_cash >= 0),
      z_number integer,
      z_report jsonb,
      unique (tenant_id, open_key),
      unique (tenant_id, close_key),
      check ((status = 'OPEN') = (closed_at is null)),
      check (status = 'OPEN' or (counted_cash is not null and z_number is not null and z_report is not null and close_key is not null))
    )`);
    // the rule "one open shift per store" in the database itself: a concurrent second open fails here
    this.addSql(`create unique index shift_one_open_per_store on shift (tenant_id, store_id) where status = 'OPEN'`);
    this.addSql('create index shift_store_opened on shift (tenant_id, store_id, opened_at desc)');
    this.addSql(`create function shift_frozen() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' or old.status = 'CLOSED' then
          raise exception 'shift % is closed: its Z report is final', old.id using errcode = 'P0001';
        end if;
        return new;
      end $$`);
    this.addSql('create trigger shift_frozen before update or delete on shift for each row execute function shift_frozen()');

    this.addSql(`create table cash_movement (
      id uuid primary key,
      tenant_id text not null,
      shift_id uuid not null references shift (id),
      kind text not null check (kind in ('CASH_IN', 'CASH_OUT')),
      amount numeric(18,4) not null check (amount > 0),
      reason text not null,
      at timestamptz not null,
      created_by text not null,
      idempotency_key text not null,
      request_fingerprint text not null,
      unique (tenant_id, idempotency_key)
    )`);
    this.addSql('create index cash_movement_shift on cash_movement (tenant_id, shift_id, at, id)');

    // payment.refunded as fiscal keeps it: the shift open in the store when fiscal heard of it, if any
    this.addSql(`create table shift_refund (
      refund_id uuid not null,
      tenant_id text not null,
      payment_id uuid not null,
      order_id uuid not null,
      store_id uuid not null,
      method text not null,
      amount numeric(18,4) not null check (amount > 0),
      currency text not null,
      refunded_at timestamptz not null,
      shift_id uuid references shift (id),
      primary key (tenant_id, refund_id)
    )`);
    this.addSql('create index shift_refund_shift on shift_refund (tenant_id, shift_id)');

    // adding columns touches no rows, so the receipt immutability trigger does not object
    this.addSql('alter table receipt add column shift_id uuid references shift (id)');
    this.addSql('alter table receipt add column discount_total numeric(18,4) not null default 0');
    this.addSql('create index receipt_shift on receipt (tenant_id, shift_id) where shift_id is not null');
    this.addSql('alter table print_job add column shift_id uuid references shift (id)');
    this.addSql('alter table print_job add constraint print_job_prints_something check (receipt_id is null or shift_id is null)');
    this.addSql('alter table sale add column discount_total numeric(18,4) not null default 0');

    for (const table of ['store_setting', 'shift', 'cash_movement', 'shift_refund']) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }
  }
}
