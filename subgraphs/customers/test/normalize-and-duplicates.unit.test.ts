import { describe, expect, it } from 'vitest';
import { type DuplicateProfile, levenshtein, matchDuplicate, rankDuplicates, similarNames } from '../src/domain/duplicates.ts';
import { emailKey, fold, nameTokens, phoneKey, phoneSearchKey, taxKey, taxSearchKey } from '../src/domain/normalize.ts';

describe('match keys', () => {
  it('folds case, Romanian diacritics (comma and cedilla forms) and punctuation', () => {
    expect(fold('Dunărea Retail S.A.')).toBe('dunarea retail sa');
    expect(fold('ȘTEFAN Țepeș-Ştefănescu')).toBe('stefan tepes stefanescu');
    expect(fold("  O'Brien,   Ana ")).toBe('obrien ana');
  });

  it('treats an email with a +tag and any case as the same address', () => {
    expect(emailKey(' Ana.Pop+shop@Example.RO ')).toBe('ana.pop@example.ro');
    expect(emailKey(null)).toBeNull();
    expect(emailKey('   ')).toBeNull();
  });

  it('writes a Romanian phone the same however it was typed', () => {
    expect(phoneKey('+40 721 000 111')).toBe('0721000111');
    expect(phoneKey('0040-721-000-111')).toBe('0721000111');
    expect(phoneKey('0721 000 111')).toBe('0721000111');
    expect(phoneKey('+49 30 1234567')).toBe('49301234567');
    expect(phoneKey('12-34')).toBeNull();
  });

  it('drops the RO prefix and spacing of a tax id', () => {
    expect(taxKey('RO 18547290')).toBe('18547290');
    expect(taxKey('18547290')).toBe('18547290');
    expect(taxKey('DE123456789')).toBe('DE123456789');
    expect(taxKey('')).toBeNull();
  });

  it('recognizes phone- and tax-id-shaped search texts only', () => {
    expect(phoneSearchKey('+40 721')).toBe('0721');
    expect(phoneSearchKey('0721 000')).toBe('0721000');
    expect(phoneSearchKey('Ana')).toBeNull();
    expect(phoneSearchKey('12')).toBeNull();
    expect(taxSearchKey('ro 4221306')).toBe('4221306');
    expect(taxSearchKey('4221')).toBe('4221');
    expect(taxSearchKey('Dunărea')).toBeNull();
  });

  it('keeps the words that identify a name, sorted, without legal forms', () => {
    expect(nameTokens('SC Carpatica Distribuție S.R.L.')).toEqual(['carpatica', 'distributie']);
    expect(nameTokens('Popescu Ana')).toEqual(['ana', 'popescu']);
    expect(nameTokens('SRL')).toEqual(['srl']);
  });
});

describe('duplicate detection', () => {
  const person = (id: string, name: string, extra: Partial<DuplicateProfile> = {}): DuplicateProfile => ({
    id,
    kind: 'PERSON',
    name,
    emailKey: null,
    phoneKey: null,
    taxKey: null,
    ...extra,
  });

  it('measures edits between strings', () => {
    expect(levenshtein('popescu', 'popesku')).toBe(1);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('ana', 'ana')).toBe(0);
  });

  it.each([
    ['Ana Popescu', 'Popescu Ana'],
    ['Ana Popescu', 'Ana Popesku'],
    ['Ana Popescu', 'Ana Maria Popescu'],
    ['SC Carpatica Distribuție SRL', 'Carpatica Distributie S.R.L.'],
    ['Ștefan Ionescu', 'Stefan Ionescu'],
  ])('finds %s and %s similar', (a, b) => {
    expect(similarNames(a, b)).toBe(true);
  });

  it.each([
    ['Ana Popescu', 'Ana Ionescu'],
    ['Ana', 'Ana Popescu'],
    ['Carpatica SRL', 'Dunărea SRL'],
    ['Mihai', 'Mihaela'],
  ])('does not find %s and %s similar', (a, b) => {
    expect(similarNames(a, b)).toBe(false);
  });

  it('scores the strongest reason and adds for each one that corroborates it', () => {
    const ana = person('a', 'Ana Popescu', { emailKey: 'ana@example.ro', phoneKey: '0721000111' });
    expect(matchDuplicate(ana, person('b', 'A. Popescu', { emailKey: 'ana@example.ro' }))).toEqual({ id: 'b', score: 85, reasons: ['SAME_EMAIL'] });
    expect(matchDuplicate(ana, person('c', 'Ana Popesku', { emailKey: 'ana@example.ro', phoneKey: '0721000111' }))).toEqual({
      id: 'c',
      score: 95,
      reasons: ['SAME_EMAIL', 'SAME_PHONE', 'SIMILAR_NAME'],
    });
    expect(matchDuplicate(ana, person('d', 'Ana Popescu'))).toEqual({ id: 'd', score: 60, reasons: ['SIMILAR_NAME'] });
    expect(matchDuplicate(ana, person('e', 'Ion Vasile'))).toBeNull();
    expect(matchDuplicate(ana, ana)).toBeNull();
  });

  it('never pairs companies with different tax ids, nor a person with a company', () => {
    const firm = { kind: 'COMPANY', emailKey: 'office@firma.ro' };
    const a = person('a', 'Firma SRL', { ...firm, taxKey: '18547290' });
    expect(matchDuplicate(a, person('b', 'Firma SRL', { ...firm, taxKey: '4221306' }))).toBeNull();
    expect(matchDuplicate(a, person('c', 'Firma SRL', { ...firm, taxKey: '18547290' }))?.reasons).toEqual([
      'SAME_TAX_ID',
      'SAME_EMAIL',
      'SIMILAR_NAME',
    ]);
    expect(matchDuplicate(a, person('d', 'Firma SRL', { emailKey: 'office@firma.ro' }))).toBeNull();
  });

  it('ranks the likeliest first, ties by id', () => {
    const subject = person('s', 'Ana Popescu', { emailKey: 'ana@example.ro' });
    const ranked = rankDuplicates(subject, [
      person('z', 'Ana Popescu'),
      person('y', 'Other', { emailKey: 'ana@example.ro' }),
      person('x', 'Ana Popescu'),
      person('w', 'Nobody'),
    ]);
    expect(ranked.map((m) => m.id)).toEqual(['y', 'x', 'z']);
  });
});
