import { Decimal } from 'decimal.js';
/**
 * The demo tenant that `npm start` seeds and the tests run against. Ids are UUIDv5 of a
 * readable name, so every subgraph seeds the same ids without talking to the others.
 */
import { v5 as uuidv5 } from 'uuid';

const NAMESPACE = '6f1c1f4e-8d1b-4c1e-9a53-2f6f3b1d7a10';
export const idOf = (name: string): string => uuidv5(name, NAMESPACE);

export interface DemoStore {
  id: string;
  name: string;
  currencyCode: string;
  countryCode: string;
  timezone: string;
  /** B2C shelf prices include VAT; B2B price lists do not */
  pricesIncludeVat: boolean;
  locationId: string;
  printerId: string;
  printerName: string;
}

export interface DemoVariant {
  id: string;
  productId: string;
  sku: string;
  barcode: string;
  name: string;
  price: string;
  vatRate: string;
  stock: string;
}

export interface DemoProduct {
  id: string;
  name: string;
  variants: DemoVariant[];
}

export interface DemoCustomer {
  id: string;
  kind: 'PERSON' | 'COMPANY';
  name: string;
  email: string | null;
  phone: string | null;
  taxId: string | null;
  tags: string[];
  /** credit factors (points) for companies: registry 15, financials 30, behaviour 25, insolvency 20, litigation 10 */
  credit: { registry: number; financials: number; behaviour: number; insolvency: number; litigation: number; annualRevenue: string } | null;
}

export interface DemoTenant {
  tenantId: string;
  stores: DemoStore[];
  products: DemoProduct[];
  customers: DemoCustomer[];
}

/** EAN-13: 12 digits plus the check digit (weights 1,3 alternating from the left). */
export function ean13(twelve: string): string {
  const sum = [...twelve].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return twelve + String((10 - (sum % 10)) % 10);
}

/** A valid Romanian CUI built from a body (for demo companies). */
export function cui(body: string): string {
  const weights = [7, 5, 3, 2, 1, 7, 5, 3, 2];
  const padded = body.padStart(9, '0');
  const sum = [...padded].reduce((acc, d, i) => acc + Number(d) * (weights[i] ?? 0), 0);
  return body + String(((sum * 10) % 11) % 10);
}

const GOODS: [string, string, string][] = [
  // name, price (RON, VAT-inclusive), VAT rate
  ['Espresso beans 1kg', '89.90', '11'],
  ['Ground coffee 250g', '24.50', '11'],
  ['Green tea 20 bags', '12.99', '11'],
  ['Mineral water 2L', '4.49', '11'],
  ['Orange juice 1L', '9.99', '11'],
  ['Dark chocolate 100g', '7.80', '11'],
  ['Butter croissant', '5.50', '11'],
  ['Sourdough bread', '11.90', '11'],
  ['Cheddar 200g', '16.40', '11'],
  ['Olive oil 750ml', '42.00', '11'],
  ['Paper cups 50 pcs', '14.90', '21'],
  ['Reusable mug', '39.00', '21'],
  ['French press', '119.00', '21'],
  ['Milk frother', '74.99', '21'],
  ['Coffee grinder', '249.00', '21'],
  ['Kettle 1.7L', '159.90', '21'],
  ['Tea infuser', '19.90', '21'],
  ['Notebook A5', '18.50', '21'],
  ['Ballpoint pens 10 pcs', '12.00', '21'],
  ['Tote bag', '25.00', '21'],
  ['Dish soap 500ml', '8.99', '21'],
  ['Paper towels 2 rolls', '10.49', '21'],
  ['AA batteries 4 pcs', '21.90', '21'],
  ['USB-C cable 1m', '34.90', '21'],
  ['Phone charger 20W', '79.00', '21'],
  ['Honey 500g', '32.50', '11'],
  ['Oat milk 1L', '13.99', '11'],
  ['Granola 400g', '21.40', '11'],
  ['Sparkling water 6x0.5L', '15.90', '11'],
  ['Almonds 200g', '27.90', '11'],
  ['Strawberry jam 370g', '14.20', '11'],
  ['Basmati rice 1kg', '18.90', '11'],
  ['Pasta 500g', '7.49', '11'],
  ['Tomato passata 700g', '8.90', '11'],
  ['Sea salt 500g', '6.30', '11'],
  ['Demitasse cups 2 pcs', '45.00', '21'],
  ['Moka pot 6 cups', '139.00', '21'],
  ['Coffee filters 100 pcs', '16.90', '21'],
  ['Descaler 250ml', '29.90', '21'],
  ['Travel tumbler', '69.00', '21'],
  ['Kitchen scale', '89.00', '21'],
  ['Cutting board', '54.90', '21'],
  ['Apron', '49.00', '21'],
  ['Gift card box', '9.90', '21'],
  ['Scented candle', '36.50', '21'],
  ['Hand soap 300ml', '11.90', '21'],
  ['Trash bags 30 pcs', '13.40', '21'],
  ['LED bulb E27', '17.90', '21'],
  ['Extension cord 3m', '44.90', '21'],
  ['Wireless mouse', '99.00', '21'],
];

function products(prefix: string, storeCount: number): DemoProduct[] {
  const list: DemoProduct[] = [];
  GOODS.forEach(([name, price, vatRate], i) => {
    const productId = idOf(`${prefix}:product:${i}`);
    const sizes = i % 2 === 0 ? ['Standard', 'Large'] : ['Standard'];
    list.push({
      id: productId,
      name,
      variants: sizes.map((size, j) => ({
        id: idOf(`${prefix}:variant:${i}:${j}`),
        productId,
        sku: `${prefix.toUpperCase()}-${String(i + 1).padStart(3, '0')}-${size[0]}`,
        barcode: ean13(`594${String(storeCount)}${String(i).padStart(4, '0')}${String(j).padStart(4, '0')}`),
        name: size === 'Standard' ? name : `${name} (${size})`,
        price: size === 'Standard' ? price : new Decimal(price).times('1.5').toFixed(2),
        vatRate,
        stock: String(100 + i * 3),
      })),
    });
  });
  return list;
}

export const demoTenant: DemoTenant = {
  tenantId: 'demo',
  stores: [
    {
      id: idOf('demo:store:bucharest'),
      name: 'Comanda Demo București',
      currencyCode: 'RON',
      countryCode: 'RO',
      timezone: 'Europe/Bucharest',
      pricesIncludeVat: true,
      locationId: idOf('demo:location:bucharest'),
      printerId: idOf('demo:printer:bucharest'),
      printerName: 'Counter receipt printer',
    },
    {
      id: idOf('demo:store:cluj'),
      name: 'Comanda Demo Cluj B2B',
      currencyCode: 'RON',
      countryCode: 'RO',
      timezone: 'Europe/Bucharest',
      pricesIncludeVat: false,
      locationId: idOf('demo:location:cluj'),
      printerId: idOf('demo:printer:cluj'),
      printerName: 'Warehouse printer',
    },
  ],
  products: products('demo', 1),
  customers: [
    {
      id: idOf('demo:customer:ana'),
      kind: 'PERSON',
      name: 'Ana Popescu',
      email: 'ana.popescu@example.ro',
      phone: '+40 721 000 111',
      taxId: null,
      tags: ['loyalty'],
      credit: null,
    },
    {
      id: idOf('demo:customer:mihai'),
      kind: 'PERSON',
      name: 'Mihai Ionescu',
      email: 'mihai@example.ro',
      phone: '+40 722 000 222',
      taxId: null,
      tags: [],
      credit: null,
    },
    {
      id: idOf('demo:customer:carpatica'),
      kind: 'COMPANY',
      name: 'Carpatica Distribuție SRL',
      email: 'office@carpatica.example.ro',
      phone: '+40 264 000 333',
      taxId: 'RO18547290',
      tags: ['b2b', 'wholesale'],
      credit: { registry: 15, financials: 24, behaviour: 20, insolvency: 20, litigation: 8, annualRevenue: '2400000.00' },
    },
    {
      id: idOf('demo:customer:dunarea'),
      kind: 'COMPANY',
      name: 'Dunărea Retail SA',
      email: 'contact@dunarea.example.ro',
      phone: null,
      taxId: '4221306',
      tags: ['b2b'],
      credit: { registry: 10, financials: 12, behaviour: 10, insolvency: 10, litigation: 5, annualRevenue: '350000.00' },
    },
    {
      id: idOf('demo:customer:risc'),
      kind: 'COMPANY',
      name: 'Risc Mare SRL',
      email: null,
      phone: null,
      taxId: cui('3141592'),
      tags: ['b2b'],
      credit: { registry: 5, financials: 5, behaviour: 5, insolvency: 0, litigation: 0, annualRevenue: '90000.00' },
    },
  ],
};

/** A second tenant, only for isolation tests: same shapes, different ids. */
export const otherTenant: DemoTenant = {
  tenantId: 'acme',
  stores: [
    {
      id: idOf('acme:store:main'),
      name: 'Acme Shop',
      currencyCode: 'EUR',
      countryCode: 'DE',
      timezone: 'Europe/Berlin',
      pricesIncludeVat: true,
      locationId: idOf('acme:location:main'),
      printerId: idOf('acme:printer:main'),
      printerName: 'Acme printer',
    },
  ],
  products: products('acme', 2).slice(0, 3),
  customers: [
    { id: idOf('acme:customer:bob'), kind: 'PERSON', name: 'Bob Acme', email: 'bob@acme.example', phone: null, taxId: null, tags: [], credit: null },
  ],
};
