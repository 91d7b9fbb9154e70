export * from './dev-login.ts';
export * from './gateway.ts';
export * from './keys.ts';
export * from './limits.ts';
export * from './live.ts';
export * from './pos-static.ts';
export * from './tokens.ts';
