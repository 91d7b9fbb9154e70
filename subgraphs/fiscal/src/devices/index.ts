import { deviceRegistry, type FiscalDevices } from './device.ts';
import { SandboxFiscalDevice } from './sandbox.ts';

export { DeviceUnavailable, deviceRegistry, type FiscalDevice, type FiscalDevices } from './device.ts';
export { SandboxFiscalDevice } from './sandbox.ts';

/** The sandbox device a fresh `npm start` drives: point a store's FISCAL_DEVICE path at it. */
export const DEFAULT_SANDBOX_DEVICE = 'sandbox-amef-1';

/**
 * The devices this process drives: COMANDA_FISCAL_SANDBOX_DEVICES lists sandbox device ids
 * (comma-separated; empty for none). A real AMEF driver would be added here beside them.
 */
export function devicesFromEnv(env: NodeJS.ProcessEnv = process.env): FiscalDevices {
  const listed = env.COMANDA_FISCAL_SANDBOX_DEVICES ?? DEFAULT_SANDBOX_DEVICE;
  const ids = listed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return deviceRegistry(ids.map((id) => new SandboxFiscalDevice(id)));
}
