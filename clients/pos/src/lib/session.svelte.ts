/**
 * Who is signed in at this till, for which store and printer. Kept in localStorage so a reload
 * (also offline) keeps the cashier signed in until the token expires.
 */

export interface Store {
  id: string;
  name: string;
  currencyCode: string;
  countryCode: string;
  timezone: string;
  pricesIncludeVat: boolean;
}

export interface Printer {
  id: string;
  name: string;
}

/** what the till reads from the token's payload (the gateway verifies it; this is for the screen) */
export interface Claims {
  tenant: string;
  user: string;
  roles: string[];
  stores: string[] | null;
  printer: string | null;
  expiresAt: number;
}

export interface SessionData {
  token: string;
  claims: Claims;
  store: Store | null;
  printer: Printer | null;
}

const KEY = 'comanda-pos-session';

function base64UrlDecode(part: string): string {
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

/** reads a JWT's claims without verifying it; null when it is not a JWT of ours */
export function readClaims(token: string): Claims | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1]!)) as Record<string, unknown>;
    if (typeof payload.tid !== 'string' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
    return {
      tenant: payload.tid,
      user: payload.sub,
      roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
      stores: Array.isArray(payload.stores) ? payload.stores.map(String) : null,
      printer: typeof payload.printer === 'string' ? payload.printer : null,
      expiresAt: payload.exp * 1000,
    };
  } catch {
    return null;
  }
}

function load(): SessionData | null {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? 'null') as SessionData | null;
    if (!data?.token || !data.claims || data.claims.expiresAt <= Date.now()) return null;
    return data;
  } catch {
    return null;
  }
}

class Session {
  data = $state<SessionData | null>(load());
  /** set when the server refused the token: the till asks to sign in again, the queue waits */
  expired = $state(false);

  get token(): string | null {
    return this.data?.token ?? null;
  }
  get store(): Store | null {
    return this.data?.store ?? null;
  }
  get printer(): Printer | null {
    return this.data?.printer ?? null;
  }
  get isManager(): boolean {
    return this.data?.claims.roles.some((r) => r === 'manager' || r === 'owner') ?? false;
  }
  /** signed in, with a store picked */
  get ready(): boolean {
    return Boolean(this.data?.token && this.data.store && !this.expired);
  }

  signIn(token: string): Claims {
    const claims = readClaims(token);
    if (!claims) throw new Error('This is not a Comanda token.');
    if (claims.expiresAt <= Date.now()) throw new Error('This token has expired.');
    const previous = this.data;
    // the same tenant keeps its store and printer (a cashier signing in again after expiry)
    const keep = previous?.claims.tenant === claims.tenant;
    this.data = { token: token.trim(), claims, store: keep ? previous.store : null, printer: keep ? previous.printer : null };
    this.expired = false;
    this.save();
    return claims;
  }

  choose(store: Store, printer: Printer | null): void {
    if (!this.data) return;
    this.data = { ...this.data, store, printer };
    this.save();
  }

  changeStore(): void {
    if (!this.data) return;
    this.data = { ...this.data, store: null, printer: null };
    this.save();
  }

  signOut(): void {
    this.data = null;
    this.expired = false;
    localStorage.removeItem(KEY);
  }

  private save(): void {
    localStorage.setItem(KEY, JSON.stringify(this.data));
  }
}

export const session = new Session();
