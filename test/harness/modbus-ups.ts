import { join } from "node:path";
import { Proc, ROOT } from "./process.ts";

/** The generic-ups-modbus map on mains, as wire-address → word. */
export const UPS_ON_MAINS: Record<string, number> = { 0: 2301, 1: 5000, 2: 2200, 3: 45, 4: 100, 5: 30, 6: 545, 7: 265, 8: 1, 9: 1, 10: 0 };

/** A real Modbus TCP UPS: Debian's pymodbus serving the generic map, registers set over stdin. */
export class PymodbusUps {
  proc!: Proc;
  port = 0;

  async start(port = 0): Promise<this> {
    this.proc = new Proc("/usr/bin/python3", [join(ROOT, "test/peers/modbus_server.py"), String(port), JSON.stringify({ holding: UPS_ON_MAINS })], {
      stdin: true,
    });
    const m = await this.proc.waitFor(/listening (\d+)/);
    this.port = Number(m[1]);
    return this;
  }

  async set(address: number, ...values: number[]): Promise<void> {
    const before = (this.proc.output.match(/^ok$/gm) ?? []).length;
    this.proc.send(`set holding ${address} ${values.join(" ")}`);
    const end = Date.now() + 5000;
    while ((this.proc.output.match(/^ok$/gm) ?? []).length <= before) {
      if (Date.now() > end) throw new Error(`pymodbus did not confirm the write:\n${this.proc.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Mains lost: no input, output from battery. */
  cutMains(): Promise<void> {
    return this.set(0, 0, 0).then(() => this.set(8, 2));
  }

  restoreMains(): Promise<void> {
    return this.set(0, 2301, 5000).then(() => this.set(8, 1));
  }

  stop(): Promise<number | null> {
    return this.proc.stop();
  }
}
