/**
 * A network receipt printer for tests: a real TCP server (net.createServer) that records every
 * byte it is sent, answers DLE EOT real-time status requests from its state, and can go away
 * (port closed, connections dropped) and come back on the same port.
 *
 *   const printer = await FakePrinter.start();
 *   // run the daemon with --printer printer.address
 *   await printer.waitForTickets(1);
 *   decodeTickets(printer.received())   // escpos-decode.ts
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { type PrinterStatus, statusBytes } from '../../src/status.ts';

export type FakePrinterState = 'online' | 'offline' | 'cover-open' | 'paper-out' | 'paper-near-end' | 'silent';

const STATUS: Record<Exclude<FakePrinterState, 'silent'>, PrinterStatus> = {
  online: { online: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false },
  offline: { online: false, coverOpen: false, paperOut: false, paperNearEnd: false, error: false },
  'cover-open': { online: false, coverOpen: true, paperOut: false, paperNearEnd: false, error: false },
  'paper-out': { online: false, coverOpen: false, paperOut: true, paperNearEnd: true, error: false },
  'paper-near-end': { online: true, coverOpen: false, paperOut: false, paperNearEnd: true, error: false },
};

const DLE = 0x10;
const EOT = 0x04;
const GS = 0x1d;
const CUT = 0x56;

export interface FakePrinterEvents {
  /** bytes of print data (status requests taken out), with when they arrived */
  data: [{ bytes: Buffer; at: number }];
  /** a cut command arrived: the number of tickets so far */
  ticket: [{ count: number; at: number }];
  status: [{ n: number; state: FakePrinterState }];
  connection: [];
}

export class FakePrinter extends EventEmitter<FakePrinterEvents> {
  state: FakePrinterState = 'online';
  /** status requests answered so far */
  statusRequests = 0;
  connections = 0;
  readonly #chunks: { bytes: Buffer; at: number }[] = [];
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #port = 0;
  #cuts = 0;

  static async start(options: { port?: number; state?: FakePrinterState } = {}): Promise<FakePrinter> {
    const printer = new FakePrinter();
    if (options.state) printer.state = options.state;
    await printer.listen(options.port ?? 0);
    return printer;
  }

  get port(): number {
    return this.#port;
  }

  /** tcp://127.0.0.1:PORT, for --printer */
  get address(): string {
    return `tcp://127.0.0.1:${this.#port}`;
  }

  get listening(): boolean {
    return this.#server !== null;
  }

  /** Every print byte received so far, in order (status requests are not print data). */
  received(): Buffer {
    return Buffer.concat(this.#chunks.map((c) => c.bytes));
  }

  /** When the last print byte arrived (performance.now()), or null. */
  lastByteAt(): number | null {
    return this.#chunks.at(-1)?.at ?? null;
  }

  get tickets(): number {
    return this.#cuts;
  }

  async waitForTickets(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.#cuts >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('ticket', onTicket);
        reject(new Error(`the fake printer got ${this.#cuts} of ${count} tickets in ${timeoutMs} ms`));
      }, timeoutMs);
      const onTicket = ({ count: n }: { count: number }) => {
        if (n < count) return;
        clearTimeout(timer);
        this.off('ticket', onTicket);
        resolve();
      };
      this.on('ticket', onTicket);
    });
  }

  /** Closes the port and drops every connection, as a printer switched off or unplugged. */
  async goAway(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async comeBack(): Promise<void> {
    if (!this.#server) await this.listen(this.#port);
  }

  async stop(): Promise<void> {
    await this.goAway();
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((socket) => this.#serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.address() as { port: number }).port;
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    this.connections++;
    this.emit('connection');
    socket.setNoDelay(true);
    // a DLE EOT split across two reads still counts: keep the tail of the previous chunk
    let carry: Buffer = Buffer.alloc(0);
    let previous = -1;
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      carry = Buffer.alloc(0);
      const data: number[] = [];
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        if (b === DLE && bytes[i + 1] === EOT) {
          if (i + 2 >= bytes.length) {
            carry = bytes.subarray(i);
            break;
          }
          this.#answer(socket, bytes[i + 2]!);
          i += 2;
          continue;
        }
        if (b === DLE && i === bytes.length - 1) {
          carry = bytes.subarray(i);
          break;
        }
        data.push(b);
      }
      if (!data.length) return;
      const print = Buffer.from(data);
      this.#chunks.push({ bytes: print, at });
      this.emit('data', { bytes: print, at });
      for (const b of print) {
        if (previous === GS && b === CUT) {
          this.#cuts++;
          this.emit('ticket', { count: this.#cuts, at });
        }
        previous = b;
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #answer(socket: Socket, n: number): void {
    this.statusRequests++;
    this.emit('status', { n, state: this.state });
    if (this.state === 'silent') return;
    const [printer, cause, paper] = statusBytes(STATUS[this.state]);
    const byte = n === 1 ? printer : n === 2 ? cause : n === 4 ? paper : 0x12;
    socket.write(Buffer.from([byte]));
  }
}
