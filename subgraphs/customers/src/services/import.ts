import { DomainError, type EntityManager, type Payload, runMutation } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { fillFromRow, parseCustomerCsv, type RowProblem, rowToCustomer } from '../domain/csv-import.ts';
import type { ValidCustomer } from '../domain/customer.ts';
import { emailKey, taxKey } from '../domain/normalize.ts';
import { type AddressRow, Customer, type CustomerRow } from '../entities.ts';
import type { Actor } from '../events.ts';
import { addressesOf, toState } from './common.ts';
import { insertCustomer, patchCustomer } from './write.ts';

export interface ImportCustomersInput {
  csv: string;
  /** check and report without writing anything */
  dryRun?: boolean | null;
}

export type ImportAction = 'CREATED' | 'UPDATED' | 'UNCHANGED';

export interface ImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  accepted: { row: number; action: ImportAction; customerId: string | null }[];
  problems: RowProblem[];
  ignoredColumns: string[];
}

/** Carries a dry run's report out of the transaction it rolls back. */
class DryRunDone extends Error {
  readonly report: ImportReport;
  constructor(report: ImportReport) {
    super('dry run');
    this.report = report;
  }
}

/** Which known customer a row is about: by tax id first, then email; two different answers are ambiguous. */
class Matcher {
  readonly #byTax = new Map<string, Set<string>>();
  readonly #byEmail = new Map<string, Set<string>>();

  add(c: { id: string; taxId: string | null; email: string | null }): void {
    const put = (map: Map<string, Set<string>>, key: string | null) => key && map.set(key, (map.get(key) ?? new Set()).add(c.id));
    put(this.#byTax, taxKey(c.taxId));
    put(this.#byEmail, emailKey(c.email));
  }

  match(row: ValidCustomer): { id: string | null } | { ambiguous: string } {
    const byTax = [...(this.#byTax.get(taxKey(row.taxId) ?? '') ?? [])];
    const byEmail = [...(this.#byEmail.get(emailKey(row.email) ?? '') ?? [])];
    if (byTax.length > 1) return { ambiguous: 'several customers have this tax id: merge them first' };
    if (byEmail.length > 1 && !byTax.length) return { ambiguous: 'several customers have this email: merge them first' };
    if (byTax[0] && byEmail.length && !byEmail.includes(byTax[0])) {
      return { ambiguous: 'the tax id and the email belong to two different customers' };
    }
    return { id: byTax[0] ?? byEmail[0] ?? null };
  }
}

/**
 * Imports customers from CSV. Every row is checked on its own, so bad rows are reported (line,
 * code, message, column) and the good ones still go in. A row is matched to an existing active
 * customer by tax id, else by email, and then only fills what that customer lacks
 * (domain/csv-import.ts): importing the same file twice creates no duplicates and changes
 * nothing the second time. One import per tenant runs at a time. A dry run does all of it in a
 * transaction that is rolled back.
 */
export async function importCustomers(em: EntityManager, actor: Actor, input: ImportCustomersInput): Promise<Payload<{ report: ImportReport }>> {
  const dryRun = input.dryRun === true;
  try {
    return await runMutation(em, { report: null }, async (tx) => {
      const report = await run(tx, actor, input.csv, dryRun);
      if (dryRun) throw new DryRunDone(report);
      return { report };
    });
  } catch (error) {
    if (error instanceof DryRunDone) return { report: error.report, userErrors: [] };
    throw error;
  }
}

async function run(tx: EntityManager, actor: Actor, csv: string, dryRun: boolean): Promise<ImportReport> {
  const parsed = parseCustomerCsv(csv);
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`comanda:customers:import:${actor.tenantId}`]);
  const now = new Date();
  const outcomes = parsed.rows.map((row) => ({ line: row.line, outcome: rowToCustomer(row, parsed.headers, now) }));

  const valid = outcomes.flatMap((o) => (o.outcome.ok ? [o.outcome.customer] : []));
  const taxKeys = [...new Set(valid.map((c) => taxKey(c.taxId)).filter((k): k is string => !!k))];
  const emailKeys = [...new Set(valid.map((c) => emailKey(c.email)).filter((k): k is string => !!k))];
  const known =
    taxKeys.length || emailKeys.length
      ? await tx.find(
          Customer,
          { status: 'ACTIVE', $or: [{ taxKey: { $in: taxKeys } }, { emailKey: { $in: emailKeys } }] },
          { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true },
        )
      : [];
  const customers = new Map<string, CustomerRow>(known.map((c) => [c.id, c]));
  const addresses = new Map<string, AddressRow[]>(known.map((c) => [c.id, []]));
  for (const a of await addressesOf(tx, [...customers.keys()])) addresses.get(a.customerId)!.push(a);
  const matcher = new Matcher();
  for (const c of known) matcher.add({ id: c.id, taxId: c.taxId ?? null, email: c.email ?? null });

  const report: ImportReport = {
    dryRun,
    rows: parsed.rows.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    accepted: [],
    problems: [],
    ignoredColumns: parsed.ignoredColumns,
  };
  const reject = (problems: RowProblem[]) => {
    report.rejected++;
    report.problems.push(...problems);
  };
  for (const { line, outcome } of outcomes) {
    if (!outcome.ok) {
      reject(outcome.problems);
      continue;
    }
    const row = outcome.customer;
    const match = matcher.match(row);
    if ('ambiguous' in match) {
      reject([{ line, code: 'AMBIGUOUS_MATCH', message: match.ambiguous, column: null }]);
      continue;
    }
    const existing = match.id ? customers.get(match.id) : undefined;
    if (!existing) {
      const created = await insertCustomer(tx, actor, row);
      customers.set(created.customer.id, created.customer);
      addresses.set(created.customer.id, created.addresses);
      matcher.add({ id: created.customer.id, taxId: created.customer.taxId ?? null, email: created.customer.email ?? null });
      report.created++;
      report.accepted.push({ row: line, action: 'CREATED', customerId: dryRun ? null : created.customer.id });
      continue;
    }
    try {
      const current = addresses.get(existing.id)!;
      const { plan, addresses: next } = await patchCustomer(tx, actor, existing, current, fillFromRow(toState(existing, current), row));
      addresses.set(existing.id, next);
      matcher.add({ id: existing.id, taxId: existing.taxId ?? null, email: existing.email ?? null });
      const action: ImportAction = plan.changed.length ? 'UPDATED' : 'UNCHANGED';
      report[action === 'UPDATED' ? 'updated' : 'unchanged']++;
      report.accepted.push({ row: line, action, customerId: existing.id });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      reject(error.errors.map((e) => ({ line, code: e.code, message: e.message, column: null })));
    }
  }
  return report;
}
