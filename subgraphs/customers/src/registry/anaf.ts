import { taxKey } from '../domain/normalize.ts';
import { type CompanyRecord, type CompanyRegistry, RegistryUnavailable } from './company-registry.ts';

/**
 * The Romanian tax authority's public VAT register (ANAF "PlatitorTvaRest" v9): a POST of
 * `[{ cui, data }]` answers `{ cod, message, found: [...], notFound: [...] }`, one entry per CUI
 * with general data, VAT registration, inactivity and the registered office's address. The
 * service allows one request a second; it is often slow, so calls have a deadline.
 */
export const ANAF_URL = 'https://webservicesp.anaf.ro/api/PlatitorTvaRest/v9/tva';

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<Response>;

/** The parts of an ANAF answer this adapter reads. */
export interface AnafCompany {
  date_generale: {
    cui: number;
    /** the day the answer is for */
    data?: string;
    denumire: string;
    adresa?: string;
    nrRegCom?: string;
    codPostal?: string;
    stare_inregistrare?: string;
  };
  inregistrare_scop_Tva?: { scpTVA?: boolean };
  stare_inactiv?: { statusInactivi?: boolean; dataRadiere?: string };
  adresa_sediu_social?: {
    sdenumire_Strada?: string;
    snumar_Strada?: string;
    sdetalii_Adresa?: string;
    sdenumire_Localitate?: string;
    sdenumire_Judet?: string;
    scod_JudetAuto?: string;
    scod_Postal?: string;
  };
}

export interface AnafAnswer {
  cod: number;
  message: string;
  found?: AnafCompany[];
  notFound?: number[];
}

/** ANAF writes localities with their administrative rank ("Mun. Cluj-Napoca"); addresses use the name. */
const cleanLocality = (text: string) => text.replace(/^(mun\.|municipiul|oraş|oraș|oras|or\.|com\.|comuna|sat)\s+/i, '').trim();
/** Bucharest's localities carry the sector first ("Sector 1 Mun. Bucureşti"): the sector belongs to the street line. */
const SECTOR = /^sector\s*(\d)\s+/i;

/** Pure: an ANAF entry as a company record. */
export function fromAnaf(entry: AnafCompany): CompanyRecord {
  const general = entry.date_generale;
  const office = entry.adresa_sediu_social ?? {};
  const vatRegistered = entry.inregistrare_scop_Tva?.scpTVA === true;
  const locality = office.sdenumire_Localitate?.trim() ?? '';
  const sector = SECTOR.exec(locality)?.[1];
  const street = [
    office.sdenumire_Strada,
    office.snumar_Strada && `nr. ${office.snumar_Strada}`,
    office.sdetalii_Adresa,
    sector && `Sector ${sector}`,
  ]
    .filter(Boolean)
    .join(', ');
  const city = cleanLocality(locality.replace(SECTOR, ''));
  return {
    taxId: `${vatRegistered ? 'RO' : ''}${general.cui}`,
    name: general.denumire.trim(),
    registrationNumber: general.nrRegCom?.trim() || null,
    address: {
      line1: street || general.adresa?.trim() || city,
      city,
      region: office.scod_JudetAuto ? `RO-${office.scod_JudetAuto}` : office.sdenumire_Judet || null,
      postalCode: office.scod_Postal || general.codPostal || null,
      countryCode: 'RO',
    },
    vatRegistered,
    active: entry.stare_inactiv?.statusInactivi !== true && !entry.stare_inactiv?.dataRadiere,
  };
}

export interface AnafOptions {
  /** how the register is named in logs and data (`anaf`, `sandbox`) */
  name: string;
  fetch: FetchLike;
  url?: string;
  timeoutMs?: number;
  /** the day the answer is asked for (YYYY-MM-DD); today by default */
  today?: () => string;
}

export class AnafRegistry implements CompanyRegistry {
  readonly name: string;
  readonly #fetch: FetchLike;
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #today: () => string;

  constructor(options: AnafOptions) {
    this.name = options.name;
    this.#fetch = options.fetch;
    this.#url = options.url ?? ANAF_URL;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  }

  async lookupCompany(cui: string): Promise<CompanyRecord | null> {
    const digits = taxKey(cui) ?? '';
    let answer: AnafAnswer;
    try {
      const response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ cui: Number(digits), data: this.#today() }]),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (!response.ok) throw new RegistryUnavailable(`${this.name}: HTTP ${response.status}`);
      answer = (await response.json()) as AnafAnswer;
    } catch (error) {
      if (error instanceof RegistryUnavailable) throw error;
      throw new RegistryUnavailable(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (answer?.cod !== 200 || !Array.isArray(answer.found)) throw new RegistryUnavailable(`${this.name}: ${answer?.message ?? 'unexpected answer'}`);
    const entry = answer.found.find((f) => String(f.date_generale?.cui) === digits);
    return entry ? fromAnaf(entry) : null;
  }
}
