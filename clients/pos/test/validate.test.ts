import { describe, expect, it } from 'vitest';
import { isEan13, isRomanianCui } from '../src/lib/validate.ts';

describe('till-side checks', () => {
  it('EAN-13 check digit', () => {
    expect(isEan13('5941000000001')).toBe(true);
    expect(isEan13('5941000000002')).toBe(false);
    expect(isEan13('594100000000')).toBe(false);
  });
  it('Romanian CUI check digit (DOMAIN.md examples)', () => {
    expect(isRomanianCui('4221306')).toBe(true);
    expect(isRomanianCui('RO18547290')).toBe(true);
    expect(isRomanianCui('ro 18547290')).toBe(true);
    expect(isRomanianCui('12345678')).toBe(false);
    expect(isRomanianCui('1')).toBe(false);
    expect(isRomanianCui('RO12345678901')).toBe(false);
  });
});
