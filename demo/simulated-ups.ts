import { createRequire } from "node:module";
import type * as ModbusSerial from "modbus-serial";

const { ServerTCP } = createRequire(import.meta.url)("modbus-serial") as typeof ModbusSerial;

/**
 * A single-phase UPS that speaks Modbus TCP with the generic-ups-modbus register map
 * (config/profiles/generic-ups-modbus.yaml). Cut its mains and it goes to battery, the charge
 * and runtime fall; restore them and it recharges. For the demo only: tests use pymodbus.
 */
export class SimulatedUps {
  private mains = true;
  private charge = 100;
  private load = 42;
  private server: InstanceType<typeof ServerTCP> | undefined;
  private timer: NodeJS.Timeout | undefined;

  setMains(on: boolean): void {
    this.mains = on;
  }
  setLoad(percent: number): void {
    this.load = percent;
  }
  get state() {
    return { mains: this.mains, charge: Math.round(this.charge), load: this.load };
  }

  registers(): number[] {
    const onBattery = !this.mains;
    const status = this.charge <= 0 ? 3 : this.charge < 25 ? 2 : 1;
    const runtimeMin = Math.round((this.charge / 100) * 40 * (50 / Math.max(this.load, 5)));
    return [
      this.mains ? 2301 : 0, // input voltage 0.1 V
      this.mains ? 5000 : 0, // input frequency 0.01 Hz
      2200, // output voltage 0.1 V
      this.load,
      Math.round(this.charge),
      runtimeMin,
      onBattery ? 520 : 545, // battery voltage 0.1 V
      265, // battery temperature 0.1 °C
      onBattery ? 2 : 1, // output source
      status,
      (onBattery ? 1 : 0) + (status > 1 ? 1 : 0),
    ];
  }

  async listen(host: string, port: number): Promise<void> {
    this.server = new ServerTCP(
      {
        getHoldingRegister: (addr: number) => this.registers()[addr] ?? 0,
        getInputRegister: (addr: number) => this.registers()[addr] ?? 0,
        getMultipleHoldingRegisters: (addr: number, length: number) => {
          const regs = this.registers();
          return Array.from({ length }, (_, i) => regs[addr + i] ?? 0);
        },
      },
      { host, port, unitID: 1 },
    );
    await new Promise<void>((resolve, reject) => {
      this.server!.on("initialized", () => resolve());
      this.server!.on("serverError", reject);
    });
    // On battery the charge falls 0.25 % a second (empty in under 7 minutes), so the demo shows it move.
    this.timer = setInterval(() => {
      this.charge = this.mains ? Math.min(100, this.charge + 0.5) : Math.max(0, this.charge - 0.25);
    }, 1000);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
