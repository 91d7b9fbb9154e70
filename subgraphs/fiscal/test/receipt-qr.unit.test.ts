import { describe, expect, it } from 'vitest';
import { parseReceiptQrPayload, receiptQrPayload } from '../src/domain/receipt-qr.ts';

const receipt = {
  storeId: '0190b6a2-1111-7000-8000-00000000aaaa',
  number: 'BF-2025-000042',
  issuedAt: new Date('2025-03-14T09:15:02.345Z'),
  total: '123.4',
  currency: 'RON',
};

describe('receipt QR payload', () => {
  it('encodes store, number, UTC time to the second, total with 2 decimals and currency', () => {
    expect(receiptQrPayload(receipt)).toBe('CMR1|0190b6a2-1111-7000-8000-00000000aaaa|BF-2025-000042|20250314T091502Z|123.40|RON');
  });
  it('reads back what it wrote (to the second)', () => {
    const parsed = parseReceiptQrPayload(receiptQrPayload(receipt));
    expect(parsed).toEqual({ ...receipt, total: '123.40', issuedAt: new Date('2025-03-14T09:15:02Z') });
  });
  it.each([
    '',
    'CMR2|a|b|20250314T091502Z|1.00|RON',
    'CMR1|a|b|2025-03-14|1.00|RON',
    'CMR1|a|b|20250314T091502Z|1|RON',
    'CMR1|a|b|20250314T091502Z|1.00|ron|x',
  ])('refuses %j', (text) => {
    expect(parseReceiptQrPayload(text)).toBeNull();
  });
});
