/** `comanda-print --test`: what an installer checks on paper (width, code page, diacritics, QR, cut). */
import type { Ticket } from '../ticket.ts';

export interface TestPageFacts {
  printerId: string | null;
  address: string;
  codepage: string;
  columns: number;
  at: Date;
}

export function renderTestPage(facts: TestPageFacts): Ticket {
  const ruler = Array.from({ length: facts.columns }, (_, i) => String((i + 1) % 10)).join('');
  return [
    { kind: 'text', text: 'Comanda print daemon', align: 'center', bold: true },
    { kind: 'text', text: 'TEST PAGE', align: 'center', size: 2 },
    { kind: 'rule', char: '=' },
    { kind: 'pair', left: 'Printer id', right: facts.printerId ?? '-' },
    { kind: 'pair', left: 'Address', right: facts.address },
    { kind: 'pair', left: 'Code page', right: facts.codepage },
    { kind: 'pair', left: 'Columns', right: String(facts.columns) },
    { kind: 'pair', left: 'Time (UTC)', right: facts.at.toISOString().slice(0, 19).replace('T', ' ') },
    { kind: 'rule' },
    { kind: 'row', text: ruler },
    { kind: 'text', text: 'Română: ĂÂÎȘȚ ăâîșț' },
    { kind: 'text', text: 'Bold', bold: true },
    { kind: 'text', text: 'Double size', size: 2 },
    { kind: 'banner', text: 'COPY' },
    { kind: 'rule' },
    { kind: 'qr', data: 'comanda print daemon test page' },
    { kind: 'blank' },
    { kind: 'text', text: 'If the paper was cut below, the test passed.', align: 'center' },
  ];
}
