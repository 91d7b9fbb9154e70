import type { CarrierAdapter } from './carrier.ts';
import { SandboxCarrier } from './sandbox.ts';

export type { CarrierAdapter } from './carrier.ts';

/** The carriers shipments can be booked with, by name; the first is the default. */
export interface Carriers {
  names: readonly string[];
  defaultName: string;
  get(name: string): CarrierAdapter;
}

/** Shipments go through the sandbox until a real courier adapter is configured. */
export function defaultCarriers(): Carriers {
  const adapters = new Map<string, CarrierAdapter>([['sandbox', new SandboxCarrier()]]);
  return {
    names: [...adapters.keys()],
    defaultName: 'sandbox',
    get(name) {
      const adapter = adapters.get(name);
      if (!adapter) throw new Error(`no carrier adapter ${name}`);
      return adapter;
    },
  };
}
