import { describe, expect, it, vi } from 'vitest';
import { memoizeVerification } from '../src/token-memo.ts';

describe('memoizeVerification', () => {
  const verifier = (expiresInMs: number) =>
    vi.fn(async (token: string, key: string) => {
      if (token !== `signed-by-${key}`) throw new Error('bad signature');
      return { value: { token }, expiresAt: Date.now() + expiresInMs };
    });

  it('verifies a token once while it is valid', async () => {
    const verify = verifier(60_000);
    const memo = memoizeVerification(verify);
    expect(await memo('signed-by-a', 'a')).toEqual({ token: 'signed-by-a' });
    expect(await memo('signed-by-a', 'a')).toEqual({ token: 'signed-by-a' });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('never accepts a remembered token under another key', async () => {
    const memo = memoizeVerification(verifier(60_000));
    await memo('signed-by-a', 'a');
    await expect(memo('signed-by-a', 'b')).rejects.toThrow('bad signature');
  });

  it('does not remember failures, and verifies again once the token expired', async () => {
    const verify = verifier(-1);
    const memo = memoizeVerification(verify);
    await expect(memo('forged', 'a')).rejects.toThrow();
    await memo('signed-by-a', 'a');
    await memo('signed-by-a', 'a');
    expect(verify).toHaveBeenCalledTimes(3);
  });
});
