import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.ts';
import { renderJob, UnprintableJob } from '../src/documents/index.ts';
import { localTime, methodLabel } from '../src/documents/parts.ts';
import { renderTestPage } from '../src/documents/test-page.ts';
import { encodeTicket } from '../src/escpos.ts';
import { layout, toText } from '../src/ticket.ts';
import { decodeTickets } from './support/escpos-decode.ts';
import { sampleJob, zReportJob } from './support/fixtures.ts';

const options = { columns: 48, codepage: 'cp852' };
const printed = (job = sampleJob()) => {
  const tickets = decodeTickets(encodeTicket(renderJob(job, 48), options));
  expect(tickets).toHaveLength(1);
  return tickets[0]!;
};

describe('a receipt on paper', () => {
  it('has the store, the number and the local time, the lines, the VAT by rate, the total and the payments', () => {
    const { lines, text } = printed();
    expect(lines[0]).toBe('             Comanda Demo Bucureşti');
    expect(text).toContain('Receipt                           BF-2025-000042');
    // 09:15 UTC is 11:15 in Bucharest in March
    expect(text).toContain('Date                            2025-03-14 11:15');
    expect(text).toContain('Order                                   B-000042');
    expect(text).toContain('Espresso beans 1kg\n  1 x 89.90  VAT 11%                       89.90');
    expect(text).toContain('Cafea măcinată Ţară\n  2 x 36.75  VAT 11%                       73.50');
    expect(text).toContain('Mug\n  1 x 40.00  VAT 21%                       36.00\n  Discount                                 -4.00');
    expect(text).toContain('Discounts                                  -4.00');
    // double width: 24 characters
    expect(lines).toContain('TOTAL         199.40 RON');
    expect(text).toContain('VAT               Net          VAT         Gross');
    expect(text).toContain('21%             29.75         6.25         36.00');
    expect(text).toContain('11%            147.21        16.19        163.40');
    expect(text).toContain('Total VAT                                  22.44');
    expect(text).toContain(
      'Card                                      100.00\nCash                                      150.00\nChange                                     50.60',
    );
    expect(text).not.toContain('COPY');
  });

  it("carries the receipt's QR payload, and no QR when the receipt has none", () => {
    expect(printed().qr).toEqual(['CMR1|0190b6a2-0000-7000-8000-0000000000bb|BF-2025-000042|20250314T091502Z|199.40|RON']);
    const job = sampleJob();
    expect(printed({ ...job, receipt: { ...job.receipt!, qrPayload: null } }).qr).toEqual([]);
  });

  it('prints ş and ţ as cp852 bytes, never ?', () => {
    const bytes = Buffer.from(encodeTicket(renderJob(sampleJob(), 48), options));
    // ESC t 18 selects cp852; ş is 0xAD, ă 0xC7 and Ţ 0xDD there
    expect(bytes.includes(Buffer.from([0x1b, 0x74, 18]))).toBe(true);
    expect(bytes.includes(Buffer.from('Bucure\xadti', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.from('m\xc7cinat\xc7 \xddar\xc7', 'latin1'))).toBe(true);
    expect(printed().text).not.toContain('?');
  });

  it('says COPY in a big white-on-black banner on a reprint, above and below', () => {
    const ticket = printed(sampleJob({ copy: true }));
    expect(ticket.inverted).toEqual(['COPY', 'COPY']);
    expect(ticket.lines[0]!.trim()).toBe('COPY');
    expect(ticket.text).toContain('BF-2025-000042');
  });

  it('ends with a cut after a feed that clears the cutter', () => {
    const bytes = Buffer.from(encodeTicket(renderJob(sampleJob(), 48), options));
    // four line feeds, then GS V 1 (partial cut), and nothing printable after it
    const cut = bytes.lastIndexOf(Buffer.from([0x1d, 0x56, 0x01]));
    expect(bytes.subarray(cut - 4, cut)).toEqual(Buffer.from('\n\n\n\n'));
    expect(
      bytes
        .subarray(cut + 3)
        .toString('latin1')
        .trim(),
    ).toBe('');
  });

  it('refuses a job without a document it knows', () => {
    expect(() => renderJob(sampleJob({ receipt: null }), 48)).toThrow(UnprintableJob);
    expect(() => renderJob(sampleJob({ receipt: null, zReport: null }), 48)).toThrow(/no document this daemon can print \(receipt, z-report\)/);
  });

  it('keeps every row within the paper width, at 32 columns too', () => {
    for (const columns of [32, 42, 48]) {
      for (const row of layout(renderJob(sampleJob({ copy: true }), columns), columns)) {
        if ('text' in row) expect(row.text.length * row.style.size).toBeLessThanOrEqual(columns);
      }
    }
  });
});

describe('a Z report on paper', () => {
  it('has the shift, sales and refunds by method, VAT, the drawer and the discrepancy', () => {
    const [ticket, ...more] = decodeTickets(encodeTicket(renderJob(zReportJob(), 48), options));
    expect(more).toEqual([]);
    const text = ticket!.text;
    expect(ticket!.lines[0]).toBe('             Comanda Demo Bucureşti');
    expect(text).toContain('Z REPORT');
    expect(text).toMatch(/^Z number +7$/m);
    expect(text).toMatch(/^Shift opened +2025-03-14 08:00$/m);
    expect(text).toMatch(/^Shift closed +2025-03-14 20:00$/m);
    expect(text).toMatch(/^Receipts +3$/m);
    expect(text).toMatch(/^Gross sales +300.00$/m);
    expect(text).toMatch(/^NET SALES +280.00$/m);
    expect(text).toMatch(/^Sales by method\n {2}Cash \(2\) +120.00\n {2}Card \(1\) +180.00\nRefunds by method\n {2}Cash \(1\) +20.00$/m);
    expect(text).toMatch(/^21% +247.93 +52.07 +300.00$/m);
    expect(text).toMatch(/^ {2}Expected cash +250.00\n {2}Counted cash +245.50$/m);
    // double width
    expect(ticket!.lines).toContain('DISCREPANCY        -4.50');
    expect(ticket!.qr).toEqual([]);
  });

  it('a reprinted Z report says COPY too', () => {
    const [ticket] = decodeTickets(encodeTicket(renderJob({ ...zReportJob(), copy: true }, 48), options));
    expect(ticket!.inverted).toEqual(['COPY', 'COPY']);
  });
});

describe('the text preview', () => {
  it('shows the same rows in a frame as wide as the paper', () => {
    const text = toText(renderJob(sampleJob({ copy: true }), 48), 48);
    const rows = text.trimEnd().split('\n');
    expect(rows.every((r) => [...r].length === 50)).toBe(true);
    expect(text).toContain('|Receipt                           BF-2025-000042|');
    expect(text).toContain('C O P Y');
    expect(text).toContain('[QR]');
  });
});

describe('small things', () => {
  it('formats times in the store timezone and method names for people', () => {
    expect(localTime('2025-07-01T21:30:00Z', 'Europe/Bucharest')).toBe('2025-07-02 00:30');
    expect(localTime('2025-07-01T21:30:00Z', null)).toBe('2025-07-01 21:30');
    expect(methodLabel('E_WALLET')).toBe('E wallet');
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(20, 500, 30_000, () => 0)).toBe(3000);
  });

  it('prints a test page with the code page, a ruler as wide as the paper and Romanian letters', () => {
    const page = decodeTickets(
      encodeTicket(
        renderTestPage({ printerId: 'p1', address: 'tcp://10.0.0.5:9100', codepage: 'cp852', columns: 48, at: new Date('2025-01-01T00:00:00Z') }),
        options,
      ),
    )[0]!;
    expect(page.lines).toContain('123456789012345678901234567890123456789012345678');
    expect(page.text).toContain('Română: ĂÂÎŞŢ ăâîşţ');
    expect(page.qr).toHaveLength(1);
  });
});
