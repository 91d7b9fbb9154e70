import { appRole, tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';
import { SHIPMENT_STATUSES } from '../domain/shipment.ts';
import { ADJUSTMENT_REASONS, LEDGER_KINDS, LOCATION_KINDS, RESERVATION_STATES } from '../domain/stock.ts';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

export class LogisticsInit extends Migration {
  override async up(): Promise<void> {
    const role = appRole('logistics');
    this.addSql(`create table stock_location (
      id uuid primary key,
      tenant_id text not null,
      store_id uuid,
      name text not null check (length(name) between 1 and 200),
      kind text not null check (kind in (${list(LOCATION_KINDS)})),
      created_at timestamptz not null default now()
    )`);
    this.addSql('create index stock_location_store on stock_location (tenant_id, store_id, created_at, id)');

    // The ledger is the truth of stock: on hand is the sum of a location's entries for a variant.
    // The sign is fixed by the kind so a bug cannot book a receipt that takes goods away.
    this.addSql(`create table inventory_ledger (
      id uuid primary key,
      tenant_id text not null,
      movement_id uuid not null,
      location_id uuid not null references stock_location (id),
      variant_id uuid not null,
      kind text not null check (kind in (${list(LEDGER_KINDS)})),
      quantity numeric(18,4) not null check (quantity <> 0),
      reason text check (reason in (${list(ADJUSTMENT_REASONS)})),
      reference text,
      note text,
      idempotency_key text not null,
      request_fingerprint text,
      actor text not null,
      created_at timestamptz not null default now(),
      unique (tenant_id, idempotency_key),
      check (case when kind in ('RECEIPT', 'TRANSFER_IN', 'RETURN') then quantity > 0
                  when kind in ('SALE', 'TRANSFER_OUT') then quantity < 0
                  else true end),
      check ((kind = 'ADJUSTMENT') = (reason is not null))
    )`);
    this.addSql('create index inventory_ledger_stock on inventory_ledger (tenant_id, variant_id, location_id) include (quantity)');
    this.addSql('create index inventory_ledger_location on inventory_ledger (tenant_id, location_id, created_at desc, id desc)');
    this.addSql('create index inventory_ledger_movement on inventory_ledger (tenant_id, movement_id)');
    // Append-only twice over: the runtime's role may not change or remove entries, and a trigger
    // refuses it to everyone else (the owner, an administrator's script).
    this.addSql(`revoke update, delete, truncate on inventory_ledger from ${role}`);
    this.addSql(`create function inventory_ledger_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the inventory ledger is append-only: book a correcting entry instead' using errcode = 'P0001';
      end $$`);
    this.addSql(
      'create trigger inventory_ledger_append_only before update or delete on inventory_ledger for each row execute function inventory_ledger_append_only()',
    );
    this.addSql(
      'create trigger inventory_ledger_no_truncate before truncate on inventory_ledger for each statement execute function inventory_ledger_append_only()',
    );

    // What logistics knows of an order, from orders' events (it never reads the orders schema).
    this.addSql(`create table order_ref (
      tenant_id text not null,
      order_id uuid not null,
      store_id uuid not null,
      channel text not null,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      total numeric(18,4) not null check (total >= 0),
      status text not null,
      location_id uuid references stock_location (id),
      sold_at timestamptz,
      placed_at timestamptz not null,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, order_id)
    )`);

    this.addSql(`create table stock_reservation (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null,
      line_id uuid not null,
      location_id uuid not null references stock_location (id),
      variant_id uuid not null,
      quantity numeric(18,4) not null check (quantity > 0),
      state text not null check (state in (${list(RESERVATION_STATES)})),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      foreign key (tenant_id, order_id) references order_ref (tenant_id, order_id),
      unique (tenant_id, order_id, line_id)
    )`);
    this.addSql(
      `create index stock_reservation_held on stock_reservation (tenant_id, variant_id, location_id) include (quantity) where state = 'HELD'`,
    );

    this.addSql(`create table shipment (
      id uuid primary key,
      tenant_id text not null,
      order_id uuid not null,
      store_id uuid not null,
      status text not null check (status in (${list(SHIPMENT_STATUSES)})),
      carrier text not null,
      tracking_number text,
      label_pdf bytea,
      cod_amount numeric(18,4) check (cod_amount > 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      idempotency_key text not null,
      request_fingerprint text not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      foreign key (tenant_id, order_id) references order_ref (tenant_id, order_id),
      unique (tenant_id, idempotency_key),
      unique (tenant_id, carrier, tracking_number)
    )`);
    this.addSql('create index shipment_order on shipment (tenant_id, order_id, created_at, id)');
    this.addSql(
      `create index shipment_store_in_transit on shipment (tenant_id, store_id) where status in ('PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY')`,
    );

    // A carrier's event ids make its deliveries idempotent: the same news twice is stored once.
    this.addSql(`create table tracking_event (
      id uuid primary key,
      tenant_id text not null,
      shipment_id uuid not null references shipment (id),
      status text not null check (status in (${list(SHIPMENT_STATUSES)})),
      location text,
      at timestamptz not null,
      source text not null check (source in ('SYSTEM', 'CARRIER', 'MANUAL')),
      carrier_event_id text,
      recorded_by text not null,
      recorded_at timestamptz not null default now(),
      unique (tenant_id, shipment_id, carrier_event_id)
    )`);
    this.addSql('create index tracking_event_shipment on tracking_event (tenant_id, shipment_id, at, id)');
    this.addSql(`revoke update, delete, truncate on tracking_event from ${role}`);

    for (const table of ['stock_location', 'inventory_ledger', 'order_ref', 'stock_reservation', 'shipment', 'tracking_event']) {
      for (const sql of tenantIsolation(table)) this.addSql(sql);
    }
  }
}

export const migrations = [{ name: '0001_logistics', class: LogisticsInit }];
