import { canUseStore, forbidden, hasRole, STAFF, type SubgraphContext } from '@comanda/kit';
import type { PrinterRow } from './entities.ts';
import { loadPrinter } from './loaders.ts';

/**
 * Who may see what. Staff see the stores their token may use. A device token (a print daemon)
 * is bound to one printer: it sees that printer, its jobs and the receipts of that printer's
 * store, nothing else. Other roles see nothing here.
 */

export const isStaff = (ctx: SubgraphContext): boolean => hasRole(ctx.identity, ...STAFF);

const isDevice = (ctx: SubgraphContext): boolean => !isStaff(ctx) && hasRole(ctx.identity, 'device');

export async function canReadStore(ctx: SubgraphContext, storeId: string): Promise<boolean> {
  if (!canUseStore(ctx.identity, storeId)) return false;
  if (isStaff(ctx)) return true;
  if (!isDevice(ctx) || !ctx.identity.printerId) return false;
  return (await loadPrinter(ctx, ctx.identity.printerId))?.storeId === storeId;
}

/** A printer's jobs and queue: staff of its store, or the daemon driving it. */
export function canUsePrinter(ctx: SubgraphContext, printer: Pick<PrinterRow, 'id' | 'storeId'>): boolean {
  if (isStaff(ctx)) return canUseStore(ctx.identity, printer.storeId);
  return isDevice(ctx) && ctx.identity.printerId === printer.id && canUseStore(ctx.identity, printer.storeId);
}

export function requirePrinter(ctx: SubgraphContext, printer: Pick<PrinterRow, 'id' | 'storeId'>): void {
  if (!canUsePrinter(ctx, printer)) throw forbidden('this token may not use that printer');
}

/** A device asking about another printer is refused before anything is looked up. */
export function requireOwnPrinterIfDevice(ctx: SubgraphContext, printerId: string): void {
  if (isDevice(ctx) && ctx.identity.printerId?.toLowerCase() !== printerId.toLowerCase())
    throw forbidden('a device token may only use its own printer');
}
