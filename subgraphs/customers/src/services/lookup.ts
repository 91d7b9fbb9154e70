import { DomainError, type Logger } from '@comanda/kit';
import { checkRomanianCui } from '../domain/tax-id.ts';
import { type CompanyRecord, type CompanyRegistry, RegistryUnavailable } from '../registry/index.ts';

/** The register's record of a company, or the reason there is none as a DomainError. */
export async function lookupCompany(registry: CompanyRegistry, taxId: string, log: Logger, field: string[]): Promise<CompanyRecord> {
  const check = checkRomanianCui(taxId);
  if (!check.ok) throw new DomainError('INVALID_TAX_ID', check.reason, field);
  let record: CompanyRecord | null;
  try {
    record = await registry.lookupCompany(check.normalized);
  } catch (error) {
    if (!(error instanceof RegistryUnavailable)) throw error;
    log.warn({ err: error, registry: registry.name }, 'company register unavailable');
    throw new DomainError('COMPANY_LOOKUP_UNAVAILABLE', 'the company register did not answer; try again in a moment', field);
  }
  if (!record) throw new DomainError('COMPANY_NOT_FOUND', 'the company register has no company with this tax id', field);
  return record;
}
