import { appRole, tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * The fiscal-device path (domain/fiscal-path.ts): a per-store choice, and one registration per
 * receipt of such a store that the device worker drives to PRINTED, retrying while the device
 * is offline or in error.
 */
export class FiscalDevices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table store_setting
      add column fiscal_path text not null default 'PRINT_DAEMON' check (fiscal_path in ('PRINT_DAEMON', 'FISCAL_DEVICE')),
      add column fiscal_device_id text,
      add constraint store_setting_device check ((fiscal_path = 'FISCAL_DEVICE') = (fiscal_device_id is not null))`);

    this.addSql(`create table fiscal_registration (
      receipt_id uuid primary key references receipt (id),
      tenant_id text not null,
      store_id uuid not null,
      device_id text not null,
      status text not null check (status in ('PENDING', 'REGISTERED', 'PRINTED')),
      fiscal_number text,
      fiscal_counter integer,
      attempts integer not null default 0 check (attempts >= 0),
      next_attempt_at timestamptz not null,
      last_error text,
      created_at timestamptz not null,
      registered_at timestamptz,
      printed_at timestamptz,
      check ((status = 'PENDING') = (fiscal_number is null))
    )`);
    this.addSql(`create index fiscal_registration_unprinted on fiscal_registration (device_id, created_at) where status <> 'PRINTED'`);
    for (const sql of tenantIsolation('fiscal_registration')) this.addSql(sql);

    /*
     * The device worker serves every tenant whose stores use a device it drives, while RLS shows
     * the fiscal role one tenant per transaction: this function (owned by the migrating admin,
     * running with its rights) lists only the unprinted registrations of those devices, oldest
     * first, with whether each is due; the worker then locks and drives each one in a
     * transaction bound to its tenant, under RLS as usual.
     */
    this.addSql(`create function due_fiscal_registrations(device_ids text[], due_at timestamptz, max_rows integer)
      returns table (tenant_id text, receipt_id uuid, device_id text, due boolean)
      language sql stable security definer
      set search_path = fiscal, pg_temp
      as $$
        select r.tenant_id, r.receipt_id, r.device_id, r.next_attempt_at <= due_at from fiscal_registration r
         where r.status <> 'PRINTED' and r.device_id = any(device_ids)
         order by r.created_at, r.receipt_id
         limit least(max_rows, 1000)
      $$`);
    this.addSql('revoke all on function due_fiscal_registrations(text[], timestamptz, integer) from public');
    this.addSql(`grant execute on function due_fiscal_registrations(text[], timestamptz, integer) to ${appRole('fiscal')}`);
    // FORCE RLS binds a table owner without superuser or BYPASSRLS too: let the function (as owner) read registrations
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = current_user and (rolsuper or rolbypassrls)) then
        execute format('create policy fiscal_registration_due_scan on fiscal_registration for select to %I using (true)', current_user);
      end if;
    end $$`);
  }
}
