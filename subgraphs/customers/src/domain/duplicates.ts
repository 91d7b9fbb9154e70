import { nameTokens } from './normalize.ts';

export type DuplicateReason = 'SAME_TAX_ID' | 'SAME_EMAIL' | 'SAME_PHONE' | 'SIMILAR_NAME';

/** A customer as duplicate detection sees it: its name and match keys. */
export interface DuplicateProfile {
  id: string;
  kind: string;
  name: string;
  emailKey: string | null;
  phoneKey: string | null;
  taxKey: string | null;
}

export interface DuplicateMatch {
  id: string;
  /** 0-100: how sure we are that the two are one customer */
  score: number;
  reasons: DuplicateReason[];
}

const WEIGHTS: Record<DuplicateReason, number> = { SAME_TAX_ID: 95, SAME_EMAIL: 85, SAME_PHONE: 75, SIMILAR_NAME: 60 };
/** each further reason makes a match this much surer */
const CORROBORATION = 5;

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** 1 for equal strings, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

const SIMILAR = 0.85;
const SIMILAR_WORD = 0.8;

/**
 * Two names are similar when, ignoring case, diacritics, word order and legal forms, they differ
 * by a typo or two ("Popescu Ana" ~ "Ana Popesku", "SC Carpatica SRL" ~ "Carpatica S.R.L."), or
 * when every word of a name of two or more words appears, give or take a typo, in the other
 * ("Ana Popescu" ~ "Ana Maria Popescu"). One-word names must match as a whole.
 */
export function similarNames(a: string, b: string): boolean {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  if (!ta.length || !tb.length) return false;
  if (similarity(ta.join(' '), tb.join(' ')) >= SIMILAR) return true;
  const [shorter, longer] = ta.length <= tb.length ? [ta, tb] : [tb, ta];
  return shorter.length >= 2 && shorter.every((w) => longer.some((v) => similarity(w, v) >= SIMILAR_WORD));
}

/**
 * Pure: whether `candidate` looks like the same customer as `subject`, and why. A person and a
 * company, or two companies with different tax ids, are never duplicates (they could not be
 * merged), however alike.
 */
export function matchDuplicate(subject: DuplicateProfile, candidate: DuplicateProfile): DuplicateMatch | null {
  if (subject.id === candidate.id || subject.kind !== candidate.kind) return null;
  if (subject.taxKey && candidate.taxKey && subject.taxKey !== candidate.taxKey) return null;
  const reasons: DuplicateReason[] = [];
  if (subject.taxKey && subject.taxKey === candidate.taxKey) reasons.push('SAME_TAX_ID');
  if (subject.emailKey && subject.emailKey === candidate.emailKey) reasons.push('SAME_EMAIL');
  if (subject.phoneKey && subject.phoneKey === candidate.phoneKey) reasons.push('SAME_PHONE');
  if (similarNames(subject.name, candidate.name)) reasons.push('SIMILAR_NAME');
  if (!reasons.length) return null;
  const best = Math.max(...reasons.map((r) => WEIGHTS[r]));
  return { id: candidate.id, score: Math.min(100, best + CORROBORATION * (reasons.length - 1)), reasons };
}

/** Most likely first; ties by id so the order is stable. */
export function rankDuplicates(subject: DuplicateProfile, candidates: readonly DuplicateProfile[]): DuplicateMatch[] {
  return candidates
    .map((c) => matchDuplicate(subject, c))
    .filter((m): m is DuplicateMatch => m !== null)
    .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1));
}
