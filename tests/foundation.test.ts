import { describe, expect, it } from 'vitest';
import { adminQuery, demo, gql, other, subgraphGql, tokenFor } from './support/client.ts';

describe('the gateway', () => {
  it('refuses a request without a token with 401 UNAUTHENTICATED', async () => {
    const res = await gql('{ customers { nodes { id } } }', {}, { token: null });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a forged or expired token', async () => {
    const forged = await gql('{ customers { nodes { id } } }', {}, { token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln' });
    expect(forged.status).toBe(401);
    const expired = await gql('{ customers { nodes { id } } }', {}, { token: await tokenFor({ role: 'manager', ttl: -10 }) });
    expect(expired.status).toBe(401);
  });

  it('refuses a too-deep query with a clear validation error and runs nothing', async () => {
    const deep = `{ customers { nodes { ${'name '.repeat(1)} } } }`.replace('name', 'id');
    expect((await gql(deep)).errors).toBeUndefined();
    let selection = 'id';
    for (let i = 0; i < 14; i++) selection = `a${i}: __typename ... on Query { customers { nodes { ${selection} } } }`;
    const res = await gql(`{ ${selection} }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.reason).toBe('QUERY_TOO_DEEP');
  });

  it('answers malformed queries and wrong variable types with 400, never 500', async () => {
    const parse = await gql('{ customers { nodes { id }');
    expect(parse.status).toBe(400);
    expect(parse.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = await gql('{ nope }');
    expect(unknown.status).toBe(400);
    const wrongType = await gql('query($f: Int) { customers(first: $f) { nodes { id } } }', { f: 'ten' });
    expect(wrongType.status).toBe(400);
    expect(JSON.stringify(wrongType)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('customers through the gateway', () => {
  it('creates a company with a valid CUI and finds it by tax id and tag', async () => {
    const res = await gql(
      `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id kind name taxId tags } userErrors { code field message } } }`,
      { input: { kind: 'COMPANY', name: 'Foundation Test SRL', taxId: 'RO 4221306', tags: ['Foundation'] } },
    );
    expect(res.data?.createCustomer.userErrors).toEqual([]);
    expect(res.data?.createCustomer.customer).toMatchObject({ kind: 'COMPANY', taxId: 'RO4221306', tags: ['foundation'] });
    const found = await gql(`{ customers(filter: { tag: "foundation" }) { nodes { id name } } }`);
    expect(found.data?.customers.nodes.map((c: { name: string }) => c.name)).toEqual(['Foundation Test SRL']);
  });

  it('rejects an invalid CUI with INVALID_TAX_ID and writes nothing', async () => {
    const res = await gql(
      `mutation { createCustomer(input: { kind: COMPANY, name: "Bad CUI SRL", taxId: "12345678" }) { customer { id } userErrors { code field } } }`,
    );
    expect(res.status).toBe(200);
    expect(res.data?.createCustomer).toEqual({ customer: null, userErrors: [{ code: 'INVALID_TAX_ID', field: ['input', 'taxId'] }] });
    expect(await adminQuery(`select id from customers.customer where name = 'Bad CUI SRL'`)).toEqual([]);
    expect(await adminQuery(`select id from customers.outbox where data->>'name' = 'Bad CUI SRL'`)).toEqual([]);
  });
});

describe('tenant isolation', () => {
  it('a tenant-B token sees none of tenant A through the gateway', async () => {
    const tokenB = await tokenFor({ role: 'owner', tenant: other.tenantId });
    const list = await gql('{ customers(first: 250) { nodes { id } } }', {}, { token: tokenB });
    const ids = list.data?.customers.nodes.map((c: { id: string }) => c.id) ?? [];
    expect(ids).toContain(other.customers[0]!.id);
    for (const c of demo.customers) expect(ids).not.toContain(c.id);
    const one = await gql('query($id: ID!) { customer(id: $id) { id } }', { id: demo.customers[0]!.id }, { token: tokenB });
    expect(one.data?.customer).toBeNull();
  });

  it('_entities with tenant A ids sent straight to a subgraph as tenant B return nothing', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id name } } }';
    const representations = demo.customers.map((c) => ({ __typename: 'Customer', id: c.id }));
    const asA = await subgraphGql('customers', query, { r: representations }, { tenantId: demo.tenantId });
    expect(asA.data?._entities.filter(Boolean)).toHaveLength(demo.customers.length);
    const asB = await subgraphGql('customers', query, { r: representations }, { tenantId: other.tenantId });
    expect(asB.data?._entities).toEqual(demo.customers.map(() => null));
  });

  it('a subgraph refuses calls without a valid internal identity', async () => {
    const none = await subgraphGql('customers', '{ customers { nodes { id } } }', {}, null);
    expect(none.status).toBe(401);
    const forged = await subgraphGql('customers', '{ customers { nodes { id } } }', {}, {}, 'not-the-secret-but-long-enough-0123456789');
    expect(forged.status).toBe(401);
  });

  it('the database itself hides other tenants: the app role sees only the tenant it sets', async () => {
    const rows = await adminQuery(`select rolsuper, rolbypassrls from pg_roles where rolname = 'comanda_customers'`);
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
    const forced = await adminQuery(`select relforcerowsecurity from pg_class where oid = 'customers.customer'::regclass`);
    expect(forced[0].relforcerowsecurity).toBe(true);
  });
});
