/**
 * Requests carry their tenant on the pooled connection (kit tenant-scope.ts) instead of a
 * transaction per statement. One connection in the pool, so every step reuses the connection the
 * step before left behind: what it carried must never leak into the next reservation.
 */
import { appDatabaseUrl, bindScopeTenant, type EntityManager, openOrm, requestEm, runInTenantScope, tenantEm } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, demo, other } from './support/client.ts';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm('customers', [], appDatabaseUrl(databaseUrl(), 'customers'), 1);
});
afterAll(async () => orm?.close());

const tenantsSeen = async (em: EntityManager): Promise<string[]> =>
  (await em.execute<{ tenant_id: string }[]>('select distinct tenant_id from customer order by 1')).map((r) => r.tenant_id);

const asRequest = <T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> =>
  runInTenantScope(async () => work(requestEm(orm, tenantId)));

describe('the request tenant scope', () => {
  it('binds a request to its tenant and nothing else', async () => {
    expect(await asRequest(demo.tenantId, tenantsSeen)).toEqual([demo.tenantId]);
    expect(await asRequest(other.tenantId, tenantsSeen)).toEqual([other.tenantId]);
  });

  it('fails closed outside a request: the connection a request used sees no tenant afterwards', async () => {
    expect(await asRequest(demo.tenantId, tenantsSeen)).toEqual([demo.tenantId]);
    expect(await tenantsSeen(orm.em.fork())).toEqual([]);
    // a scope whose tenant was never bound (identity refused) sees nothing either
    expect(await runInTenantScope(() => tenantsSeen(orm.em.fork()))).toEqual([]);
  });

  it('a rolled-back transaction does not undo or leak the tenant', async () => {
    await expect(
      asRequest(demo.tenantId, (em) =>
        em.transactional(async (tx) => {
          expect(await tenantsSeen(tx)).toEqual([demo.tenantId]);
          throw new Error('roll back');
        }),
      ),
    ).rejects.toThrow('roll back');
    expect(await tenantsSeen(orm.em.fork())).toEqual([]);
    expect(await asRequest(other.tenantId, tenantsSeen)).toEqual([other.tenantId]);
  });

  it('an event handler tenantEm inside another tenant`s request scope sees only its own tenant', async () => {
    const seen = await runInTenantScope(async () => {
      bindScopeTenant(demo.tenantId);
      return tenantsSeen(tenantEm(orm, other.tenantId));
    });
    expect(seen).toEqual([other.tenantId]);
  });

  it('a write under the request scope is checked against the scope tenant', async () => {
    await expect(
      asRequest(demo.tenantId, (em) =>
        em.execute(
          `insert into customer (id, tenant_id, kind, name, created_at, updated_at) values (gen_random_uuid(), ?, 'PERSON', 'x', now(), now())`,
          [other.tenantId],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});
