import type { AddressFields } from '../domain/addresses.ts';

/** A company as the authority's register has it. */
export interface CompanyRecord {
  /** with the RO prefix when the company is registered for VAT (how invoices must name it) */
  taxId: string;
  name: string;
  /** trade register number, e.g. J12/1234/2006 */
  registrationNumber: string | null;
  /** the registered office */
  address: Omit<AddressFields, 'label'>;
  vatRegistered: boolean;
  /** false for companies declared inactive or struck off */
  active: boolean;
}

/**
 * A company register behind one interface (the ANAF public API, its sandbox, later other
 * countries' registers). `cui` is a checked Romanian CUI; null: the register does not know it.
 */
export interface CompanyRegistry {
  readonly name: string;
  lookupCompany(cui: string): Promise<CompanyRecord | null>;
}

/** The register did not answer in time or answered nonsense: nothing is known, try again later. */
export class RegistryUnavailable extends Error {
  override name = 'RegistryUnavailable';
}
