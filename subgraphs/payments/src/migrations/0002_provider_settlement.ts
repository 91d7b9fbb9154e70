import { appRole, tenantIsolation } from '@comanda/kit';
import { Migration } from '@mikro-orm/migrations';

/**
 * Asynchronous provider payments (webhooks and the status poller) and refunds that wait for an
 * approval.
 */
export class PaymentsProviderSettlement extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table payment add column provider_checked_at timestamptz');
    this.addSql(`create index payment_provider_pending on payment ((coalesce(provider_checked_at, created_at)))
      where state = 'PENDING' and provider is not null`);
    // a provider's reference names one payment, whatever the tenant: webhooks find the payment by it
    this.addSql(`create unique index payment_provider_reference on payment (provider, provider_reference)
      where provider_reference is not null`);

    // one row per webhook event received: a redelivery finds its row and changes nothing
    this.addSql(`create table provider_webhook (
      provider text not null,
      event_id text not null,
      tenant_id text not null,
      reference text not null,
      status text not null,
      received_at timestamptz not null default now(),
      primary key (provider, event_id)
    )`);
    for (const sql of tenantIsolation('provider_webhook')) this.addSql(sql);

    this.addSql(`alter table refund
      add column status text not null default 'COMPLETED' check (status in ('PENDING_APPROVAL', 'COMPLETED', 'REJECTED')),
      add column approved_by text,
      add column rejected_by text,
      add column rejection_reason text,
      add column decided_at timestamptz,
      add column completed_at timestamptz`);
    // the backfill must see every tenant's rows, also when the migrating role is a plain owner
    this.addSql('alter table refund no force row level security');
    this.addSql('update refund set completed_at = created_at');
    this.addSql('alter table refund force row level security');
    this.addSql(`alter table refund add constraint refund_completed_at check ((status = 'COMPLETED') = (completed_at is not null))`);
    this.addSql('drop index refund_store_created');
    this.addSql(`create index refund_store_completed on refund (tenant_id, store_id, completed_at) where status = 'COMPLETED'`);
    this.addSql('create index refund_store_status on refund (tenant_id, store_id, status, created_at, id)');

    /*
     * The status poller must find stale pending payments of every tenant, while RLS shows the
     * payments role one tenant per transaction. This function, owned by the migrating admin and
     * running with its rights, lists only (tenant, payment) pairs; the poller then reads and
     * settles each payment in a transaction bound to its tenant, under RLS as usual.
     */
    this.addSql(`create function stale_provider_payments(older_than_seconds integer, max_rows integer)
      returns table (tenant_id text, payment_id uuid)
      language sql stable security definer
      set search_path = payments, pg_temp
      as $$
        select p.tenant_id, p.id from payment p
         where p.state = 'PENDING' and p.provider is not null and p.provider_reference is not null
           and coalesce(p.provider_checked_at, p.created_at) < now() - make_interval(secs => older_than_seconds)
         order by coalesce(p.provider_checked_at, p.created_at)
         limit least(max_rows, 1000)
      $$`);
    this.addSql('revoke all on function stale_provider_payments(integer, integer) from public');
    this.addSql(`grant execute on function stale_provider_payments(integer, integer) to ${appRole('payments')}`);
    // FORCE RLS binds a table owner without superuser or BYPASSRLS too: let the function (as owner) read payments
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = current_user and (rolsuper or rolbypassrls)) then
        execute format('create policy payment_stale_scan on payment for select to %I using (true)', current_user);
      end if;
    end $$`);
  }
}
