import { describe, expect, it } from 'vitest';
import { isValidEan13 } from '../src/domain/ean13.ts';
import { defaultOrderNumberPrefix, formatOrderNumber } from '../src/domain/order-number.ts';

describe('EAN-13', () => {
  it.each(['4006381333931', '5901234123457', '9780201379624', '5941000000001'])('accepts %s', (code) => {
    expect(isValidEan13(code)).toBe(true);
  });
  it.each(['4006381333932', '5901234123450', '400638133393', '40063813339311', '400638133393a', '', ' 4006381333931'])('rejects %j', (code) => {
    expect(isValidEan13(code)).toBe(false);
  });
  it('catches every single-digit typo in a valid code', () => {
    const valid = '5901234123457';
    for (let i = 0; i < 13; i++) {
      for (let d = 0; d <= 9; d++) {
        const typo = valid.slice(0, i) + String(d) + valid.slice(i + 1);
        if (typo !== valid) expect(isValidEan13(typo)).toBe(false);
      }
    }
  });
});

describe('order numbers', () => {
  it('pads the per-store sequence', () => {
    expect(formatOrderNumber('B', 42)).toBe('B-000042');
    expect(formatOrderNumber('C', 1234567)).toBe('C-1234567');
  });
  it.each([
    ['Comanda Demo București', 'B'],
    ['Comanda Demo Cluj B2B', 'C'],
    ['Acme Shop', 'S'],
    ['Ștefan cel Mare', 'M'],
    ['123 456', 'S'],
  ])('derives a prefix from %s', (name, prefix) => {
    expect(defaultOrderNumberPrefix(name)).toBe(prefix);
  });
});
