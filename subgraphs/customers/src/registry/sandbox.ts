import type { AnafAnswer, AnafCompany, FetchLike } from './anaf.ts';

/**
 * The ANAF register as a built-in sandbox: it answers the same request with the same JSON as the
 * real service, from a fixed directory, so the adapter's whole path (request, parsing, mapping,
 * deadline) runs here. Every CUI has a valid check digit:
 *   18547290  Carpatica Distribuție SRL, Cluj-Napoca, VAT-registered
 *   4221306   Dunărea Retail SA, Galați, VAT-registered
 *   31415920  Risc Mare SRL, Ilfov, not VAT-registered, declared inactive
 *   12345674  Exemplu Comerț SRL, București sector 1, VAT-registered
 *   22334451  Atelier Verde SRL, Brașov, not VAT-registered
 *   33667788  Vechi Radiat SRL, Iași, struck off (inactive)
 *   99999992  never answers: the lookup times out (COMPANY_LOOKUP_UNAVAILABLE)
 * Any other CUI is not in the register (COMPANY_NOT_FOUND).
 */
export const SANDBOX_TIMEOUT_CUI = '99999992';

interface Entry {
  cui: number;
  name: string;
  regCom: string;
  street: string;
  number: string;
  locality: string;
  county: string;
  countyCode: string;
  postalCode: string;
  vat: boolean;
  inactive?: boolean;
  struckOff?: string;
}

const DIRECTORY: Entry[] = [
  {
    cui: 18547290,
    name: 'CARPATICA DISTRIBUȚIE SRL',
    regCom: 'J12/2451/2006',
    street: 'Str. Fabricii',
    number: '12',
    locality: 'Mun. Cluj-Napoca',
    county: 'CLUJ',
    countyCode: 'CJ',
    postalCode: '400620',
    vat: true,
  },
  {
    cui: 4221306,
    name: 'DUNĂREA RETAIL SA',
    regCom: 'J17/118/1991',
    street: 'Str. Brăilei',
    number: '45',
    locality: 'Mun. Galaţi',
    county: 'GALAŢI',
    countyCode: 'GL',
    postalCode: '800310',
    vat: true,
  },
  {
    cui: 31415920,
    name: 'RISC MARE SRL',
    regCom: 'J23/901/2013',
    street: 'Str. Principală',
    number: '3',
    locality: 'Oraş Voluntari',
    county: 'ILFOV',
    countyCode: 'IF',
    postalCode: '077190',
    vat: false,
    inactive: true,
  },
  {
    cui: 12345674,
    name: 'EXEMPLU COMERȚ SRL',
    regCom: 'J40/1234/2010',
    street: 'Bd. Magheru',
    number: '7',
    locality: 'Sector 1 Mun. Bucureşti',
    county: 'MUNICIPIUL BUCUREŞTI',
    countyCode: 'B',
    postalCode: '010325',
    vat: true,
  },
  {
    cui: 22334451,
    name: 'ATELIER VERDE SRL',
    regCom: 'J08/77/2019',
    street: 'Str. Lungă',
    number: '101',
    locality: 'Mun. Braşov',
    county: 'BRAŞOV',
    countyCode: 'BV',
    postalCode: '500051',
    vat: false,
  },
  {
    cui: 33667788,
    name: 'VECHI RADIAT SRL',
    regCom: 'J22/55/2002',
    street: 'Str. Lăpuşneanu',
    number: '9',
    locality: 'Mun. Iaşi',
    county: 'IAŞI',
    countyCode: 'IS',
    postalCode: '700057',
    vat: false,
    struckOff: '2021-06-30',
  },
];

/** An entry as ANAF sends it (the fields the adapter reads, and a few it does not). */
function toAnaf(entry: Entry, day: string): AnafCompany {
  return {
    date_generale: {
      cui: entry.cui,
      data: day,
      denumire: entry.name,
      adresa: `JUD. ${entry.county}, ${entry.locality.toUpperCase()}, ${entry.street.toUpperCase()}, NR.${entry.number}`,
      nrRegCom: entry.regCom,
      codPostal: entry.postalCode,
      stare_inregistrare: entry.struckOff ? `RADIERE din data ${entry.struckOff}` : 'INREGISTRAT',
    },
    inregistrare_scop_Tva: { scpTVA: entry.vat },
    stare_inactiv: { statusInactivi: entry.inactive === true, dataRadiere: entry.struckOff ?? '' },
    adresa_sediu_social: {
      sdenumire_Strada: entry.street,
      snumar_Strada: entry.number,
      sdetalii_Adresa: '',
      sdenumire_Localitate: entry.locality,
      sdenumire_Judet: entry.county,
      scod_JudetAuto: entry.countyCode,
      scod_Postal: entry.postalCode,
    },
  };
}

/** A fetch that answers like ANAF's endpoint, in process. */
export function sandboxAnafFetch(): FetchLike {
  return async (_url, init) => {
    let request: { cui: number; data: string }[];
    try {
      request = JSON.parse(init.body) as typeof request;
    } catch {
      return Response.json({ cod: 400, message: 'Request invalid' }, { status: 400 });
    }
    if (request.some((r) => String(r.cui) === SANDBOX_TIMEOUT_CUI)) {
      // like a register that has stopped answering: only the caller's deadline ends the wait
      return new Promise<Response>((_, reject) => {
        init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true });
      });
    }
    const found = request.flatMap((r) => DIRECTORY.filter((e) => e.cui === Number(r.cui)).map((e) => toAnaf(e, r.data)));
    const notFound = request.map((r) => Number(r.cui)).filter((cui) => !DIRECTORY.some((e) => e.cui === cui));
    const answer: AnafAnswer = { cod: 200, message: 'SUCCESS', found, notFound };
    return Response.json(answer);
  };
}
