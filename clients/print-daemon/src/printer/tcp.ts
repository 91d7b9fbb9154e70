/**
 * A network printer on a raw TCP port (9100). One connection, kept open between tickets (many
 * printers take one client at a time) and opened again after any error. A request that gets no
 * answer in time drops the connection: a cable pulled leaves a socket that looks open, and only
 * a status round trip tells.
 */
import { connect, type Socket } from 'node:net';
import { parseStatus, STATUS_QUERIES, STATUS_REQUEST } from '../status.ts';
import { type PrinterPort, PrinterUnreachable, SendError } from './port.ts';

export interface TcpOptions {
  host: string;
  port: number;
  /** connecting, and waiting for a status answer */
  timeoutMs?: number;
}

export function tcpPrinter(options: TcpOptions): PrinterPort {
  const timeoutMs = options.timeoutMs ?? 3000;
  const address = `tcp://${options.host}:${options.port}`;
  let socket: Socket | null = null;
  let connecting: Promise<Socket> | null = null;
  let inbox: number[] = [];
  let onData: (() => void) | null = null;

  const drop = () => {
    socket?.destroy();
    socket = null;
    onData?.();
  };

  function open(): Promise<Socket> {
    if (socket && !socket.destroyed) return Promise.resolve(socket);
    connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: options.host, port: options.port, noDelay: true });
      const timer = setTimeout(() => s.destroy(new Error(`connecting to ${address} timed out`)), timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.setKeepAlive(true, 10_000);
        socket = s;
        resolve(s);
      });
      s.on('data', (chunk: Buffer) => {
        inbox.push(...chunk);
        onData?.();
      });
      s.on('error', (error) => {
        clearTimeout(timer);
        reject(new PrinterUnreachable(`${address}: ${error.message}`));
      });
      s.on('close', () => {
        if (socket === s) drop();
      });
    }).finally(() => {
      connecting = null;
    });
    return connecting;
  }

  /** `count` bytes the printer sends back, or null when it does not in time (or hangs up). */
  function answer(s: Socket, count: number): Promise<number[] | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (bytes: number[] | null) => {
        clearTimeout(timer);
        onData = null;
        resolve(bytes);
      };
      onData = () => {
        if (inbox.length >= count) finish(inbox.splice(0, count));
        else if (socket !== s) finish(null);
      };
      onData();
    });
  }

  return {
    address,
    async status() {
      const s = await open();
      inbox = [];
      s.write(STATUS_REQUEST);
      const bytes = await answer(s, STATUS_QUERIES.length);
      const status = bytes && parseStatus(bytes);
      if (!status) {
        drop();
        throw new PrinterUnreachable(`${address}: ${bytes ? `not a status answer (${bytes.join(',')})` : 'no answer to a status request'}`);
      }
      return status;
    },
    async send(bytes) {
      let s: Socket;
      try {
        s = await open();
      } catch (error) {
        throw new SendError((error as Error).message, false);
      }
      if (s.destroyed || !s.writable) throw new SendError(`${address}: the connection closed`, false);
      await new Promise<void>((resolve, reject) => {
        // the callback runs once the kernel has every byte, or with the error that stopped it
        s.write(bytes, (error) => (error ? reject(new SendError(`${address}: ${error.message}`, true)) : resolve()));
      });
    },
    async close() {
      drop();
    },
  };
}
