import { createRequire } from "node:module";

// net-snmp has no typings; its agent API is used only by this demo device, so it stays untyped here.
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS module, demo only
const snmp: any = createRequire(import.meta.url)("net-snmp");

const IF_ENTRY = "1.3.6.1.2.1.2.2.1";
const IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1";
const LINK_DOWN = "1.3.6.1.6.3.1.1.5.3";
const LINK_UP = "1.3.6.1.6.3.1.1.5.4";

interface Port {
  index: number;
  name: string;
  alias: string;
  up: boolean;
  inOctets: bigint;
  outOctets: bigint;
}

const col = (number: number, name: string, type: number) => ({
  number,
  name,
  type,
  maxAccess: snmp.MaxAccess["read-only"],
});

/**
 * An access switch that speaks SNMP v2c (net-snmp's agent): IF-MIB ifTable and ifXTable with 64-bit
 * counters, and linkDown / linkUp traps when a port is set down or up. For the demo only; the tests
 * use Debian's snmpsim and snmpd.
 */
export class SimulatedSwitch {
  // biome-ignore lint/suspicious/noExplicitAny: see above
  private agent: any;
  private started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  readonly ports: Port[] = [
    {
      index: 1,
      name: "GigabitEthernet0/0/1",
      alias: "uplink to core",
      up: true,
      inOctets: 0n,
      outOctets: 0n,
    },
    { index: 2, name: "GigabitEthernet0/0/2", alias: "seats 01-24", up: true, inOctets: 0n, outOctets: 0n },
    { index: 3, name: "GigabitEthernet0/0/3", alias: "seats 25-48", up: true, inOctets: 0n, outOctets: 0n },
  ];

  constructor(private opts: { community: string; trapTo?: { host: string; port: number } }) {}

  listen(host: string, port: number): void {
    this.agent = snmp.createAgent({ port, address: host, disableAuthorization: true }, () => {});
    this.agent.getAuthorizer().addCommunity(this.opts.community);
    const mib = this.agent.getMib();
    mib.registerProvider({
      name: "sysUpTime",
      type: snmp.MibProviderType.Scalar,
      oid: "1.3.6.1.2.1.1.3",
      scalarType: snmp.ObjectType.TimeTicks,
      maxAccess: snmp.MaxAccess["read-only"],
    });
    mib.registerProvider({
      name: "ifEntry",
      type: snmp.MibProviderType.Table,
      oid: IF_ENTRY,
      maxAccess: snmp.MaxAccess["not-accessible"],
      tableColumns: [
        col(1, "ifIndex", snmp.ObjectType.Integer),
        col(2, "ifDescr", snmp.ObjectType.OctetString),
        col(7, "ifAdminStatus", snmp.ObjectType.Integer),
        col(8, "ifOperStatus", snmp.ObjectType.Integer),
        col(14, "ifInErrors", snmp.ObjectType.Counter),
        col(20, "ifOutErrors", snmp.ObjectType.Counter),
      ],
      tableIndex: [{ columnName: "ifIndex" }],
    });
    mib.registerProvider({
      name: "ifXEntry",
      type: snmp.MibProviderType.Table,
      oid: IFX_ENTRY,
      maxAccess: snmp.MaxAccess["not-accessible"],
      tableColumns: [
        col(1, "ifName", snmp.ObjectType.OctetString),
        col(6, "ifHCInOctets", snmp.ObjectType.Counter64),
        col(10, "ifHCOutOctets", snmp.ObjectType.Counter64),
        col(15, "ifHighSpeed", snmp.ObjectType.Gauge),
        col(18, "ifAlias", snmp.ObjectType.OctetString),
      ],
      tableAugments: "ifEntry",
    });
    this.refresh();
    // Traffic moves a little every second, so the counters in Prometheus are not flat.
    this.timer = setInterval(() => {
      for (const p of this.ports)
        if (p.up) {
          p.inOctets += BigInt(100_000 + Math.floor(Math.random() * 50_000));
          p.outOctets += BigInt(80_000 + Math.floor(Math.random() * 40_000));
        }
      this.refresh();
    }, 1000);
  }

  private refresh(): void {
    const mib = this.agent!.getMib();
    mib.setScalarValue("sysUpTime", Math.floor((Date.now() - this.started) / 10));
    for (const p of this.ports) {
      for (const name of ["ifEntry", "ifXEntry"])
        try {
          mib.deleteTableRow(name, [p.index]);
        } catch {
          // First refresh: no row yet.
        }
      mib.addTableRow("ifEntry", [p.index, p.name, 1, p.up ? 1 : 2, 0, 0]);
      mib.addTableRow("ifXEntry", [
        p.index,
        p.name,
        counter64(p.inOctets),
        counter64(p.outOctets),
        1000,
        p.alias,
      ]);
    }
  }

  /** Sets a port down or up and sends the matching IF-MIB trap, as a real switch would. */
  setPort(index: number, up: boolean): Port | undefined {
    const port = this.ports.find((p) => p.index === index);
    if (!port || port.up === up) return port;
    port.up = up;
    this.refresh();
    if (this.opts.trapTo) {
      const session = snmp.createSession(this.opts.trapTo.host, this.opts.community, {
        trapPort: this.opts.trapTo.port,
        version: snmp.Version2c,
      });
      session.trap(
        up ? LINK_UP : LINK_DOWN,
        [
          { oid: `${IF_ENTRY}.1.${index}`, type: snmp.ObjectType.Integer, value: index },
          { oid: `${IFX_ENTRY}.1.${index}`, type: snmp.ObjectType.OctetString, value: port.name },
        ],
        () => session.close(),
      );
    }
    return port;
  }

  close(): void {
    clearInterval(this.timer);
    this.agent?.close();
  }
}

/** net-snmp takes Counter64 values as 8-byte big-endian buffers. */
function counter64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}
