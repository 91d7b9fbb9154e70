/** file:PATH: each ticket appended to a file and flushed to disk. A file has no status. */
import { open } from 'node:fs/promises';
import { type PrinterPort, SendError } from './port.ts';

export function filePrinter(path: string): PrinterPort {
  return {
    address: `file:${path}`,
    status: async () => null,
    async send(bytes) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, 'a');
      } catch (error) {
        throw new SendError(`${path}: ${(error as Error).message}`, false);
      }
      try {
        await handle.write(bytes);
        await handle.sync();
      } catch (error) {
        throw new SendError(`${path}: ${(error as Error).message}`, true);
      } finally {
        await handle.close();
      }
    },
    close: async () => {},
  };
}
