import type { DeviceConfig } from "../../../common/config/schema.ts";
import { fieldSourceSchema, type FieldSource } from "../probe.ts";
import { DeviceUnreachableError, type Driver, type DriverContext, type DriverSession, type RawRead, type RawSample } from "../types.ts";
import { queryTile, type TileStatus } from "./client.ts";
import { PJLINK_FIELDS, type PjlinkField, type PjlinkOptions, pjlinkOptionsSchema } from "./options.ts";
import { COMPONENTS } from "./protocol.ts";
import { inHours } from "./schedule.ts";

type Tile = { tile: string; status: TileStatus };

/** Samples of one field over every tile, labelled by tile (and lamp, component). */
function samplesOf(field: PjlinkField, tiles: Tile[], options: PjlinkOptions, now: number): RawSample[] {
  const out: RawSample[] = [];
  for (const { tile, status: s } of tiles) {
    if (field === "up") {
      out.push({ labels: { tile }, value: s.ok ? 1 : 0 });
      continue;
    }
    if (!s.ok) continue;
    switch (field) {
      case "power_on":
        if (s.power !== undefined) out.push({ labels: { tile }, value: s.power === 1 ? 1 : 0 });
        break;
      case "power_state": // 0 standby, 1 on, 2 cooling down, 3 warming up
        if (s.power !== undefined) out.push({ labels: { tile }, value: s.power });
        break;
      case "off_in_hours": // in standby while the wall should be on (warming up or cooling down is not off)
        if (s.power !== undefined)
          out.push({ labels: { tile }, value: s.power === 0 && (!options.onHours || inHours(options.onHours, now)) ? 1 : 0 });
        break;
      case "error": // ERST 2
      case "warning": // ERST 1
        if (s.errors)
          for (const c of COMPONENTS)
            out.push({ labels: { tile, component: c }, value: s.errors[c] === (field === "error" ? 2 : 1) ? 1 : 0 });
        break;
      case "lamp_hours":
      case "lamp_on":
        for (const [i, l] of (s.lamps ?? []).entries())
          out.push({ labels: { tile, lamp: String(i + 1) }, value: field === "lamp_hours" ? l.hours : l.on ? 1 : 0 });
        break;
      case "input":
        if (s.input !== undefined) out.push({ labels: { tile }, value: s.input });
        break;
      case "info": {
        const labels: Record<string, string> = { tile, class: String(s.cls) };
        for (const [k, v] of Object.entries(s.info)) if (v !== undefined && v !== "") labels[k] = v;
        out.push({ labels, value: 1 });
        break;
      }
      case "filter_hours":
        if (s.filterHours !== undefined) out.push({ labels: { tile }, value: s.filterHours });
        break;
      case "input_width":
      case "input_height":
        if (s.resolution) out.push({ labels: { tile }, value: field === "input_width" ? s.resolution.width : s.resolution.height });
        break;
    }
  }
  return out;
}

class PjlinkSession implements DriverSession<FieldSource<PjlinkField>> {
  constructor(
    private device: DeviceConfig,
    private o: PjlinkOptions,
    private ctx: DriverContext,
  ) {}

  async read(sources: readonly FieldSource<PjlinkField>[]): Promise<RawRead[]> {
    const wanted = this.o.tiles ?? [{ tile: "1", address: this.device.address }];
    const password = this.o.password?.reveal();
    const tiles = await Promise.all(
      wanted.map(async (t) => ({ tile: t.tile, status: await queryTile(t.address, password, this.o.timeoutMs) })),
    );
    const failed = tiles.filter((t) => !t.status.ok);
    for (const t of failed)
      this.ctx.logger.warn({ device: this.device.id, tile: t.tile, error: !t.status.ok && t.status.error }, "PJLink tile did not answer");
    // The whole wall silent (its switch, its power): one device.unreachable rather than a fault per tile.
    if (failed.length === tiles.length)
      throw new DeviceUnreachableError(
        `no tile answered: ${failed.map((t) => `${t.tile}: ${!t.status.ok ? t.status.error : ""}`).join("; ")}`,
      );
    const now = Date.now();
    return sources.map((s) => ({ ok: true, samples: samplesOf(s.field, tiles, this.o, now) }));
  }

  async close(): Promise<void> {}
}

export const pjlinkDriver: Driver<PjlinkOptions, FieldSource<PjlinkField>> = {
  name: "pjlink",
  optionsSchema: pjlinkOptionsSchema,
  sourceSchema: fieldSourceSchema(PJLINK_FIELDS),
  open: (device, options, ctx) => new PjlinkSession(device, options, ctx),
};
