import si from "systeminformation";
import type { DeviceConfig } from "../../../common/config/schema.ts";
import { type FieldSource, fieldSourceSchema } from "../probe.ts";
import { DeviceUnreachableError, type Driver, type DriverSession, type RawRead, type RawSample } from "../types.ts";
import { HOST_FIELDS, type HostField, type HostOptions, hostOptionsSchema } from "./options.ts";

const one = (value: number | null | undefined): RawSample[] =>
  typeof value === "number" && Number.isFinite(value) ? [{ value }] : [];

/**
 * The host the agent runs on (its own server, or a workstation running an agent), through
 * systeminformation: CPU load since the previous poll, memory, file systems, temperatures, uptime.
 * `address` must be localhost: an agent reads only its own host.
 */
class HostSession implements DriverSession<FieldSource<HostField>> {
  constructor(
    private device: DeviceConfig,
    private o: HostOptions,
  ) {}

  async read(sources: readonly FieldSource<HostField>[]): Promise<RawRead[]> {
    if (!/^(localhost|127\.0\.0\.1|::1)$/.test(this.device.address))
      throw new DeviceUnreachableError(`the host driver reads the agent's own host; address must be localhost, not ${this.device.address}`);
    const want = new Set(sources.map((s) => s.field));
    const has = (...f: HostField[]) => f.some((x) => want.has(x));
    const [load, mem, fs, temp, time] = await Promise.all([
      has("cpu") ? si.currentLoad() : undefined,
      has("memory_used", "memory_total", "memory_available") ? si.mem() : undefined,
      has("disk_used_ratio", "disk_size", "disk_used") ? si.fsSize() : undefined,
      has("temperature") ? si.cpuTemperature() : undefined,
      has("uptime") ? si.time() : undefined,
    ]);
    const mounts = this.o.mounts !== undefined ? new RegExp(this.o.mounts) : undefined;
    const disks = (fs ?? []).filter(
      (f) => f.size > 0 && !this.o.excludeTypes.includes(f.type) && (!mounts || mounts.test(f.mount)),
    );
    const temps: RawSample[] = [];
    if (temp) {
      if (typeof temp.main === "number") temps.push({ labels: { sensor: "cpu" }, value: temp.main });
      temp.cores.forEach((c, i) => {
        if (typeof c === "number") temps.push({ labels: { sensor: `core${i}` }, value: c });
      });
    }
    const samples: Record<HostField, RawSample[]> = {
      cpu: one(load ? load.currentLoad / 100 : undefined),
      // Used = total − available: page cache the kernel can drop is not "used" (as free(1) reports it).
      memory_used: one(mem ? (mem.total - mem.available) / mem.total : undefined),
      memory_total: one(mem?.total),
      memory_available: one(mem?.available),
      disk_used_ratio: disks.map((d) => ({ labels: { disk: d.mount }, value: d.used / d.size })),
      disk_size: disks.map((d) => ({ labels: { storage: d.mount }, value: d.size })),
      disk_used: disks.map((d) => ({ labels: { storage: d.mount }, value: d.used })),
      temperature: temps,
      uptime: one(time?.uptime),
    };
    return sources.map((s) => ({ ok: true, samples: samples[s.field] }));
  }

  async close(): Promise<void> {}
}

export const hostDriver: Driver<HostOptions, FieldSource<HostField>> = {
  name: "host",
  optionsSchema: hostOptionsSchema,
  sourceSchema: fieldSourceSchema(HOST_FIELDS),
  open: (device, options) => new HostSession(device, options),
};
