import type { DeviceConfig } from "../../../common/config/schema.ts";
import { DeviceUnreachableError, type DriverContext, type DriverSession, type RawRead } from "../types.ts";
import { type ModbusBus, type ModbusClient, ModbusExceptionError, TransportError } from "./bus.ts";
import { decodeRegisters } from "./codec.ts";
import { planRequests, planSingleReads, type ReadRequest, type RegisterSpan, type WireCost } from "./plan.ts";
import { describeSpan, type ModbusSource, sourceWidth } from "./source.ts";

export interface SessionSettings {
  unitId: number;
  timeoutMs: number;
  retries: number;
  maxRegisters: number;
  maxBits: number;
  maxGap?: number;
  /** The transport's cost model, for the least-wire-time plan. */
  cost?: WireCost;
}

const EXCEPTION_NAMES: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "server device failure",
  5: "acknowledge",
  6: "server device busy",
  10: "gateway path unavailable",
  11: "gateway target device failed to respond",
};

/** Exceptions that may mean "this request is too long or spans a hole", worth retrying value by value. */
const SPLITTABLE = new Set([2, 3, 4]);

async function readTable(client: ModbusClient, req: ReadRequest): Promise<number[]> {
  switch (req.table) {
    case "holding":
      return (await client.readHoldingRegisters(req.address, req.count)).data;
    case "input":
      return (await client.readInputRegisters(req.address, req.count)).data;
    case "coil":
      return (await client.readCoils(req.address, req.count)).data.slice(0, req.count).map(Number);
    case "discrete":
      return (await client.readDiscreteInputs(req.address, req.count)).data.slice(0, req.count).map(Number);
  }
}

/**
 * One device on a bus: plans the profile's sources into coalesced requests, runs them through the bus,
 * decodes each source. A request refused with an exception is retried source by source (remembered, so
 * later polls go straight to single reads for it); what still fails is an error naming its registers.
 */
export class ModbusSession implements DriverSession<ModbusSource> {
  /** Coalesced requests the device refused; keyed table:address:count. */
  private refused = new Set<string>();

  constructor(
    private device: DeviceConfig,
    private settings: SessionSettings,
    private bus: ModbusBus,
    private ctx: DriverContext,
    private release: () => Promise<void>,
  ) {}

  async read(sources: readonly ModbusSource[], signal: AbortSignal): Promise<RawRead[]> {
    const spans: RegisterSpan[] = sources.map((s) => ({
      table: s.table,
      address: s.address,
      count: sourceWidth(s),
    }));
    const results: RawRead[] = new Array(sources.length);
    const queue = planRequests(spans, this.settings).flatMap((req) =>
      this.refused.has(key(req))
        ? planSingleReads(req.spans.map((i) => spans[i]!)).map((r) => remap(r, req.spans))
        : [req],
    );
    for (let req = queue.shift(); req; req = queue.shift()) {
      if (signal.aborted) throw new DeviceUnreachableError("poll cancelled (timeout)");
      let words: number[];
      try {
        words = await this.exchange(req);
      } catch (err) {
        if (!(err instanceof ModbusExceptionError)) throw err;
        const distinct = planSingleReads(req.spans.map((i) => spans[i]!));
        if (distinct.length > 1 && SPLITTABLE.has(err.code)) {
          this.refused.add(key(req));
          this.ctx.logger.debug(
            { request: key(req), code: err.code },
            "coalesced read refused, reading values one by one",
          );
          queue.unshift(...distinct.map((r) => remap(r, req.spans)));
          continue;
        }
        const name = EXCEPTION_NAMES[err.code] ?? "exception";
        const error = `${describeSpan(req.table, req.address, req.count)} (unit ${this.settings.unitId}): Modbus exception ${err.code} (${name})`;
        for (const i of req.spans) results[i] = { ok: false, error };
        continue;
      }
      for (const i of req.spans) {
        const src = sources[i]!;
        const offset = src.address - req.address;
        const slice = words.slice(offset, offset + spans[i]!.count);
        const value =
          src.table === "coil" || src.table === "discrete" ? slice[0]! : decodeRegisters(src, slice);
        results[i] = { ok: true, samples: [{ value }] };
      }
    }
    return results;
  }

  /** One request with retries; a device that never answers is unreachable for this whole poll. */
  private async exchange(req: ReadRequest): Promise<number[]> {
    const { unitId, timeoutMs, retries } = this.settings;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.bus.request(unitId, timeoutMs, (client) => readTable(client, req));
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        if (attempt >= retries)
          throw new DeviceUnreachableError(
            `${this.device.address} unit ${unitId}: ${describeSpan(req.table, req.address, req.count)}: ${err.message}`,
          );
      }
    }
  }

  close(): Promise<void> {
    return this.release();
  }
}

function key(req: Pick<ReadRequest, "table" | "address" | "count">): string {
  return `${req.table}:${req.address}:${req.count}`;
}

/** planSingleReads numbered a subset of spans from 0; map them back to the poll's indexes. */
function remap(req: ReadRequest, indexes: number[]): ReadRequest {
  return { ...req, spans: req.spans.map((i) => indexes[i]!) };
}
