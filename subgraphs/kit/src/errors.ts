/**
 * Bad input is a userError in the mutation payload, never a GraphQL error or a 500.
 * Domain code throws DomainError; the mutation runner rolls the transaction back and turns it
 * into `userErrors`. Codes are stable SCREAMING_SNAKE strings, listed in docs/errors.md.
 */
export interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

export class DomainError extends Error {
  readonly errors: UserError[];
  constructor(code: string, message: string, field?: string[]) {
    super(message);
    this.name = 'DomainError';
    this.errors = [{ code, message, field: field ?? null }];
  }

  static many(errors: UserError[]): DomainError {
    const first = errors[0] ?? { code: 'INVALID_INPUT', message: 'invalid input', field: null };
    const error = new DomainError(first.code, first.message, first.field ?? undefined);
    error.errors.splice(0, 1, ...errors);
    return error;
  }
}

export function userError(code: string, message: string, field?: string[]): UserError {
  return { code, message, field: field ?? null };
}

/** GraphQL errors for access problems: these are not input mistakes but missing rights. */
export const ErrorCodes = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
} as const;
