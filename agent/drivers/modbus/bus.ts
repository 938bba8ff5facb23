import { createRequire } from "node:module";
import type * as ModbusSerial from "modbus-serial";

export type ModbusClient = ModbusSerial.default;

// modbus-serial is CommonJS whose typings declare an ES default export; require() gives the class as is.
const ModbusRTU = createRequire(import.meta.url)("modbus-serial") as new () => ModbusClient;

export type TransportKind = "tcp" | "rtu" | "rtu-over-tcp";

export interface SerialSettings {
  baudRate: number;
  parity: "none" | "even" | "odd";
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

export interface BusSettings {
  transport: TransportKind;
  /** host:port for tcp and rtu-over-tcp, a serial device path for rtu. */
  address: string;
  serial: SerialSettings;
  /** Silence kept between the end of one exchange and the next request on this line. */
  interFrameGapMs: number;
  /** Backoff after a failed connect: doubles from min to max, reset by a success. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

/** The device answered with a Modbus exception: this request failed, the line is fine. */
export class ModbusExceptionError extends Error {
  override name = "ModbusExceptionError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Nothing usable came back: timeout, closed connection, port error, connect refused or backing off. */
export class TransportError extends Error {
  override name = "TransportError";
  constructor(
    readonly kind: "timeout" | "connection",
    message: string,
  ) {
    super(message);
  }
}

interface Job {
  unitId: number;
  timeoutMs: number;
  op: (client: ModbusClient) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Per-line counters: what the benchmark and tests read to see the request plan's effect. */
export interface BusStats {
  requests: number;
  timeouts: number;
  connects: number;
  /** Times the stream was resynchronised after a bad frame or timeout (TCP reconnect, RTU flush). */
  resyncs: number;
}

function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(":");
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(address.slice(i + 1)) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * modbus-serial's port keeps the bytes received but not yet framed: `_clientRcvData` on TCP, `_buffer`
 * on RTU (serial and over TCP). Between exchanges (one request at a time) anything there is debris of a
 * bad frame. Read through this one view of its internals (modbus-serial 8.x).
 */
interface PortInternals {
  _clientRcvData?: Buffer;
  _buffer?: Buffer;
  _client?: { flush?: (cb?: (err?: Error | null) => void) => void };
}
const portOf = (client: ModbusClient) => (client as unknown as { _port?: PortInternals })._port;

function unreadBytes(client: ModbusClient): number {
  const port = portOf(client);
  return (port?._clientRcvData ?? port?._buffer)?.length ?? 0;
}

/** Silence that ends an RTU frame: 3.5 characters (11 bits each at most), 1.75 ms above 19200 baud. */
function rtuSilenceMs(baudRate: number): number {
  return baudRate > 19_200 ? 1.75 : (3.5 * 11 * 1000) / baudRate;
}

/**
 * One physical line (a serial port, or one TCP connection to a device or gateway) shared by every device
 * on it. Requests run strictly one at a time in arrival order; since each session waits for its answer
 * before asking again, devices take turns request by request, and a silent device costs the others one
 * timeout per request, never a stuck queue.
 */
export class ModbusBus {
  readonly stats: BusStats = { requests: 0, timeouts: 0, connects: 0, resyncs: 0 };
  /** An RTU exchange timed out: flush the input, after a frame gap of silence, before the next one. */
  private flushAfterSilence = false;
  private queue: Job[] = [];
  private pumping = false;
  private client?: ModbusClient;
  private closed?: Promise<never>;
  private failures = 0;
  private retryAt = 0;
  private lastFrameEnd = 0;
  private shutdown = false;

  constructor(readonly settings: BusSettings) {}

  /** Queues one exchange with `unitId`; resolves with the op's result or rejects with a typed error. */
  request<T>(unitId: number, timeoutMs: number, op: (client: ModbusClient) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ unitId, timeoutMs, op, resolve: resolve as (v: unknown) => void, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        try {
          job.resolve(await this.exchange(job));
        } catch (err) {
          job.reject(err);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async exchange(job: Job): Promise<unknown> {
    if (this.shutdown) throw new TransportError("connection", `${this.settings.address}: closed`);
    let client = await this.connect();
    if (this.flushAfterSilence && this.settings.transport === "rtu") {
      this.flushAfterSilence = false;
      await this.flushSerial(client);
    }
    if (unreadBytes(client) > 0) client = await this.resynchronise(client);
    const wait = this.lastFrameEnd + this.settings.interFrameGapMs - Date.now();
    if (wait > 0) await sleep(wait);
    client.setID(job.unitId);
    client.setTimeout(job.timeoutMs);
    this.stats.requests++;
    let guard: NodeJS.Timeout | undefined;
    // modbus-serial leaves a request pending when the connection closes under it; the close (or a guard a
    // little past the timeout) settles it at once.
    const overdue = new Promise<never>((_, reject) => {
      guard = setTimeout(() => reject(new TransportError("timeout", "Timed out")), job.timeoutMs + 250);
    });
    try {
      return await Promise.race([job.op(client), this.closed!, overdue]);
    } catch (err) {
      throw this.classify(err, client);
    } finally {
      clearTimeout(guard);
      this.lastFrameEnd = Date.now();
    }
  }

  private classify(err: unknown, client: ModbusClient): Error {
    if (err instanceof TransportError) {
      if (err.kind === "timeout") this.timedOut(client);
      else this.drop(client);
      return err;
    }
    const e = err as { modbusCode?: number; message?: string; errno?: string };
    if (typeof e.modbusCode === "number")
      return new ModbusExceptionError(e.modbusCode, e.message ?? "exception");
    if (e.errno === "ETIMEDOUT" || e.message === "Timed out") {
      this.timedOut(client);
      return new TransportError("timeout", "Timed out");
    }
    // CRC errors, short frames, "Port Not Open", resets: the line is in an unknown state, start afresh.
    this.drop(client);
    return new TransportError("connection", e.message ?? String(err));
  }

  /**
   * A timeout may mean a truncated frame, garbage, an MBAP length no answer fills, or an answer with
   * another transaction id (modbus-serial ignores those): the stream position is unknown. On TCP the
   * connection is dropped (the next request reconnects; a new connection is a clean stream); on a
   * serial line the input is flushed once the line has been silent for an RTU frame gap.
   */
  private timedOut(client: ModbusClient): void {
    this.stats.timeouts++;
    this.stats.resyncs++;
    if (this.settings.transport === "rtu") this.flushAfterSilence = true;
    else this.drop(client);
  }

  /** Bytes left over after the last answer (trailing bytes, a late frame): start from a clean stream. */
  private async resynchronise(client: ModbusClient): Promise<ModbusClient> {
    this.stats.resyncs++;
    if (this.settings.transport !== "rtu") {
      this.drop(client);
      return this.connect();
    }
    await this.flushSerial(client);
    return client;
  }

  private async flushSerial(client: ModbusClient): Promise<void> {
    const { interFrameGapMs, serial } = this.settings;
    await sleep(Math.max(interFrameGapMs, rtuSilenceMs(serial.baudRate)));
    const port = portOf(client);
    await new Promise<void>((resolve) => (port?._client?.flush ? port._client.flush(() => resolve()) : resolve()));
    if (port?._buffer) port._buffer = Buffer.alloc(0);
  }

  private drop(client: ModbusClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.closed = undefined;
    // A connection that worked and then broke is retried at once; backoff is for failed connects.
    this.retryAt = 0;
    try {
      client.close(() => {});
    } catch {
      // already closed
    }
  }

  private async connect(): Promise<ModbusClient> {
    if (this.client?.isOpen) return this.client;
    if (this.client) this.drop(this.client);
    const now = Date.now();
    if (now < this.retryAt)
      throw new TransportError(
        "connection",
        `${this.settings.address}: reconnecting, next attempt in ${this.retryAt - now} ms`,
      );
    const client = new ModbusRTU();
    const { transport, address, serial } = this.settings;
    try {
      this.stats.connects++;
      if (transport === "rtu") {
        await client.connectRTUBuffered(address, { ...serial });
      } else {
        const { host, port } = splitHostPort(address);
        if (transport === "tcp") await client.connectTCP(host, { port, timeout: 5000 });
        else await client.connectTelnet(host, { port, timeout: 5000 });
      }
    } catch (err) {
      this.failures++;
      const backoff = Math.min(
        this.settings.reconnectMaxMs,
        this.settings.reconnectMinMs * 2 ** (this.failures - 1),
      );
      this.retryAt = Date.now() + backoff;
      try {
        client.close(() => {});
      } catch {
        // never opened
      }
      throw new TransportError("connection", `connect to ${address} failed: ${(err as Error).message}`);
    }
    this.failures = 0;
    this.client = client;
    this.closed = new Promise<never>((_, reject) => {
      client.on("close", () =>
        reject(new TransportError("connection", `${address}: connection closed by peer`)),
      );
    });
    // Only ever raced against a request; an unobserved rejection must not crash the agent.
    this.closed.catch(() => {});
    client.on("error", () => {});
    return client;
  }

  async close(): Promise<void> {
    this.shutdown = true;
    const client = this.client;
    this.client = undefined;
    if (client?.isOpen) await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
