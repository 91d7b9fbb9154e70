import { DomainError, decodeCursor } from '@comanda/kit';
import { UUID } from '../domain/place-order.ts';

/**
 * A keyset cursor is [sort value, id]. A cursor that decodes but was not made here (a
 * hand-edited one) must not reach SQL as a malformed uuid or timestamp: that would be a 500.
 */
export function keysetCursor(after: string | null | undefined, sortValue: 'text' | 'timestamp'): [string, string] | null {
  const parts = decodeCursor(after);
  if (!parts) return null;
  const [value, id] = parts;
  const valid =
    parts.length === 2 &&
    typeof value === 'string' &&
    typeof id === 'string' &&
    UUID.test(id) &&
    (sortValue === 'text' || !Number.isNaN(Date.parse(value)));
  if (!valid) throw new DomainError('INVALID_CURSOR', 'the cursor is not one this API gave out', ['after']);
  return [value, id];
}
