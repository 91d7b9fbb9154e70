/**
 * A printer behind a device file (/dev/usb/lp0: the kernel's USB printer class; a parallel
 * port). The file is opened for reading and writing: a bidirectional printer answers DLE EOT on
 * it. One that never answers is asked once; after that the daemon prints without a status.
 */
import { constants, type FileHandle, open } from 'node:fs/promises';
import { parseStatus, STATUS_QUERIES, STATUS_REQUEST } from '../status.ts';
import { type PrinterPort, PrinterUnreachable, SendError } from './port.ts';

export function devicePrinter(path: string, timeoutMs = 2000): PrinterPort {
  let handle: FileHandle | null = null;
  let answers = true;
  // a read that timed out is still waiting in the thread pool: never start a second one
  let pendingRead: Promise<number[]> | null = null;

  async function file(): Promise<FileHandle> {
    if (handle) return handle;
    try {
      handle = await open(path, constants.O_RDWR | constants.O_NOCTTY);
      return handle;
    } catch (error) {
      throw new PrinterUnreachable(`${path}: ${(error as Error).message}`);
    }
  }

  const reset = async () => {
    const h = handle;
    handle = null;
    pendingRead = null;
    await h?.close().catch(() => {});
  };

  return {
    address: path,
    async status() {
      if (!answers) return null;
      const h = await file();
      try {
        await h.write(STATUS_REQUEST);
      } catch (error) {
        await reset();
        throw new PrinterUnreachable(`${path}: ${(error as Error).message}`);
      }
      pendingRead ??= (async () => {
        const buffer = Buffer.alloc(STATUS_QUERIES.length);
        let got = 0;
        while (got < buffer.length) {
          const { bytesRead } = await h.read(buffer, got, buffer.length - got, null);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return [...buffer.subarray(0, got)];
      })();
      const read = pendingRead;
      const bytes = await Promise.race([read, new Promise<null>((r) => setTimeout(() => r(null), timeoutMs).unref())]);
      if (bytes !== null) pendingRead = null;
      // no answer in time, or nothing to read at all: a printer (or a file) without status
      if (bytes === null || bytes.length === 0) {
        answers = false;
        return null;
      }
      const status = parseStatus(bytes);
      if (!status) throw new PrinterUnreachable(`${path}: not a status answer (${bytes.join(',')})`);
      return status;
    },
    async send(bytes) {
      let h: FileHandle;
      try {
        h = await file();
      } catch (error) {
        throw new SendError((error as Error).message, false);
      }
      let written = 0;
      try {
        while (written < bytes.length) written += (await h.write(bytes, written, bytes.length - written)).bytesWritten;
      } catch (error) {
        await reset();
        throw new SendError(`${path}: ${(error as Error).message}`, written > 0);
      }
    },
    close: reset,
  };
}
