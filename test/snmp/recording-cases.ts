/**
 * What each LibreNMS recording must read as, in Watchfloor's canonical names. The expected numbers
 * come from the .json beside each recording (LibreNMS's sensor_current, converted from its units:
 * runtime minutes → seconds, charge/load/humidity percent → ratio); this file only says which of our
 * readings each LibreNMS sensor is. Every LibreNMS sensor of a compared class must be matched by a
 * rule or listed as a deviation with the reason, so a new sensor in a recording fails until decided.
 */

/** sensor_oid pattern → our reading; "$1" in labels takes the pattern's first group, "$descr" LibreNMS's description. */
export type SensorRule = [RegExp, string, Record<string, string>?];

export interface RecordingCase {
  recording: string;
  profile: string;
  class: string;
  rules: SensorRule[];
  /** LibreNMS sensors we deliberately read differently, by sensor_oid, with why. */
  deviations?: Record<string, string>;
  /** Compare interfaces (ifName, oper and admin status) with LibreNMS's ports. */
  ports?: boolean;
  /** Readings checked straight from the raw walk where LibreNMS is not followed. */
  raw?: { reading: string; labels: Record<string, string>; value: number | "absent" }[];
}

export const COMPARED_CLASSES = [
  "charge",
  "runtime",
  "voltage",
  "load",
  "temperature",
  "humidity",
  "current",
  "frequency",
];

const esc = (oid: string) => oid.replace(/\./g, "\\.");
const at = (oid: string, tail = "") => new RegExp(`^\\.?${esc(oid)}${tail}$`);

const UPS_MIB: SensorRule[] = [
  [at("1.3.6.1.2.1.33.1.2.2.0"), "ups_time_on_battery_seconds"],
  [at("1.3.6.1.2.1.33.1.2.3.0"), "ups_battery_runtime_seconds"],
  [at("1.3.6.1.2.1.33.1.2.4.0"), "ups_battery_charge_ratio"],
  [at("1.3.6.1.2.1.33.1.2.5.0"), "ups_battery_voltage_volts"],
  [at("1.3.6.1.2.1.33.1.2.7.0"), "ups_battery_temperature_celsius"],
  [at("1.3.6.1.2.1.33.1.3.3.1.3", "\\.(\\d+)"), "ups_input_voltage_volts", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.4.4.1.2", "\\.(\\d+)"), "ups_output_voltage_volts", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.4.4.1.5", "\\.(\\d+)"), "ups_output_load_ratio", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.5.3.1.2", "\\.(\\d+)"), "ups_bypass_voltage_volts", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.2.6.0"), "ups_battery_current_amperes"],
  [at("1.3.6.1.2.1.33.1.3.3.1.4", "\\.(\\d+)"), "ups_input_current_amperes", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.4.4.1.3", "\\.(\\d+)"), "ups_output_current_amperes", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.5.3.1.3", "\\.(\\d+)"), "ups_bypass_current_amperes", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.3.3.1.2", "\\.(\\d+)"), "ups_input_frequency_hertz", { line: "$1" }],
  [at("1.3.6.1.2.1.33.1.4.2.0"), "ups_output_frequency_hertz"],
  [at("1.3.6.1.2.1.33.1.5.1.0"), "ups_bypass_frequency_hertz"],
];

export const CASES: RecordingCase[] = [
  // UPS, PDU and sensor cards: their own network interfaces are not what is monitored; no ports compared.
  { recording: "generex-ups_cs141", profile: "ups-mib", class: "ups", rules: UPS_MIB },
  {
    recording: "huaweiups_ups2000",
    profile: "ups-mib",
    class: "ups",
    rules: UPS_MIB,
    deviations: {
      ".1.3.6.1.2.1.33.1.2.3.0":
        "upsEstimatedMinutesRemaining answers 4294967295 (no estimate; outside the MIB's range): no reading, not 8171 years",
      ...Object.fromEntries(
        [".1.3.6.1.2.1.33.1.3.3.1.2.1", ".1.3.6.1.2.1.33.1.4.2.0", ".1.3.6.1.2.1.33.1.5.1.0"].map((oid) => [
          oid,
          "LibreNMS's huaweiups shows 5 Hz for the raw 500; RFC 1628's unit is 0.1 Hertz: 50 Hz (checked in raw)",
        ]),
      ),
    },
    raw: [
      { reading: "ups_battery_runtime_seconds", labels: {}, value: "absent" },
      { reading: "ups_input_frequency_hertz", labels: { line: "1" }, value: 50 },
      { reading: "ups_output_frequency_hertz", labels: {}, value: 50 },
      { reading: "ups_bypass_frequency_hertz", labels: {}, value: 50 },
    ],
  },
  {
    recording: "eaton-mgeups_9pxle",
    profile: "eaton-ups",
    class: "ups",
    rules: [...UPS_MIB, [at("1.3.6.1.4.1.534.1.6.1.0"), "temperature_celsius", { sensor: "ambient" }]],
  },
  {
    recording: "apc_smt750x-nmc2",
    profile: "apc-powernet-ups",
    class: "ups",
    rules: [
      [at("1.3.6.1.4.1.318.1.1.1.2.3.1.0"), "ups_battery_charge_ratio"],
      [at("1.3.6.1.4.1.318.1.1.1.4.3.3.0"), "ups_output_load_ratio", { line: "1" }],
      [at("1.3.6.1.4.1.318.1.1.1.2.2.3.0"), "ups_battery_runtime_seconds"],
      [at("1.3.6.1.4.1.318.1.1.1.2.3.2.0"), "ups_battery_temperature_celsius"],
      [at("1.3.6.1.4.1.318.1.1.25.1.2.1.6", "\\.[\\d.]+"), "temperature_celsius", { sensor: "$descr" }],
      [at("1.3.6.1.4.1.318.1.1.1.2.3.4.0"), "ups_battery_voltage_volts"],
      [at("1.3.6.1.4.1.318.1.1.1.3.3.1.0"), "ups_input_voltage_volts", { line: "1" }],
      [at("1.3.6.1.4.1.318.1.1.1.4.3.1.0"), "ups_output_voltage_volts", { line: "1" }],
      [at("1.3.6.1.4.1.318.1.1.1.4.3.4.0"), "ups_output_current_amperes", { line: "1" }],
      [at("1.3.6.1.4.1.318.1.1.1.3.3.4.0"), "ups_input_frequency_hertz"],
      [at("1.3.6.1.4.1.318.1.1.1.4.3.2.0"), "ups_output_frequency_hertz"],
    ],
  },
  {
    recording: "apc_ap8959eu3",
    profile: "apc-rpdu2",
    class: "pdu",
    rules: [[at("1.3.6.1.4.1.318.1.1.26.6.3.1.6", "\\.(\\d+)"), "pdu_voltage_volts", { phase: "$1" }]],
    raw: [
      { reading: "pdu_total_power_watts", labels: { pdu: "1" }, value: 270 },
      { reading: "pdu_current_amperes", labels: { phase: "1" }, value: 1.3 },
    ],
  },
  {
    recording: "akcp_serverprobe8",
    profile: "akcp-sensorprobe",
    class: "environment",
    rules: [[at("1.3.6.1.4.1.3854.1.2.2.1.16.1.14", "\\.\\d+"), "temperature_celsius", { sensor: "$descr" }]],
    deviations: Object.fromEntries(
      [1, 2, 3, 4, 5].map((i) => [
        `.1.3.6.1.4.1.3854.1.2.2.1.17.1.13.${i}`,
        "humidity probe is offline (column 5 = 2); column 13 holds a stale number: not a reading",
      ]),
    ),
    raw: [
      { reading: "humidity_ratio", labels: { sensor: "Custom Descr 1" }, value: 0.42 },
      { reading: "humidity_ratio", labels: { sensor: "Custom Descr 2" }, value: 0.41 },
      { reading: "humidity_ratio", labels: { sensor: "Custom Descr 3" }, value: 0.39 },
      { reading: "humidity_ratio", labels: { sensor: "Humidity2 Description" }, value: "absent" },
    ],
  },
  {
    recording: "hikvision-nvr_disk",
    profile: "hikvision-nvr",
    class: "cctv",
    rules: [],
    raw: [
      { reading: "disk_ok", labels: { disk: "Disk 1" }, value: 1 },
      { reading: "disk_used_ratio", labels: { disk: "Disk 1" }, value: 0.6 },
    ],
  },
  {
    recording: "fortigate_60f",
    profile: "fortinet-fortigate",
    class: "security",
    rules: [
      [at("1.3.6.1.4.1.12356.101.4.3.2.1.3", "\\.\\d+"), "sensor_temperature_celsius", { sensor: "$descr" }],
    ],
    ports: true,
    // LibreNMS processors / mempools.
    raw: [
      { reading: "cpu_utilization_ratio", labels: {}, value: 0 },
      { reading: "memory_utilization_ratio", labels: {}, value: 0.33 },
      // LibreNMS count "Session count" (fgSysSesCount) 174; fgHaStatsSyncStatus 1 synchronized on both members.
      { reading: "firewall_sessions_active", labels: {}, value: 174 },
      { reading: "ha_sync_ok", labels: { member: "rogforti1" }, value: 1 },
      { reading: "ha_sync_ok", labels: { member: "rogforti2" }, value: 1 },
    ],
  },
  {
    recording: "stoneos",
    profile: "hillstone-stoneos",
    class: "security",
    rules: [
      [at("1.3.6.1.4.1.28557.2.28.1.2.1.3", "\\.\\d+"), "sensor_temperature_celsius", { sensor: "$descr" }],
    ],
    ports: true,
    // LibreNMS processors / mempools.
    raw: [
      { reading: "cpu_utilization_ratio", labels: {}, value: 0.55 },
      { reading: "memory_utilization_ratio", labels: {}, value: 1444687 / 8388608 },
      // LibreNMS state hillstonePowerState PS0 / PS1 = 0 (fine).
      { reading: "psu_ok", labels: { psu: "PS0" }, value: 1 },
      { reading: "psu_ok", labels: { psu: "PS1" }, value: 1 },
    ],
  },
  {
    recording: "comware_a5500",
    profile: "h3c-comware",
    class: "network",
    rules: [
      [at("1.3.6.1.4.1.25506.2.6.1.1.1.1.12", "\\.\\d+"), "sensor_temperature_celsius", { sensor: "$descr" }],
    ],
    ports: true,
    // LibreNMS processors / mempools.
    raw: [
      { reading: "cpu_utilization_ratio", labels: { entity: "Board" }, value: 0.08 },
      { reading: "memory_utilization_ratio", labels: { entity: "Board" }, value: 0.47 },
      // LibreNMS state hh3cDevMFanStatus "Fan 1" = 1 active; hh3cDevMPowerStatus 1 = 1 active, 2 = 3 not-install.
      { reading: "fan_ok", labels: { fan: "1" }, value: 1 },
      { reading: "psu_ok", labels: { psu: "1" }, value: 1 },
      { reading: "psu_ok", labels: { psu: "2" }, value: "absent" },
    ],
  },
  {
    recording: "vrp_s5328c-ei",
    profile: "huawei-vrp",
    class: "network",
    rules: [],
    ports: true,
    // LibreNMS reads no processors from this recording; the raw walk has hwEntityCpuUsage 19, hwEntityMemUsage 54.
    raw: [
      { reading: "cpu_utilization_ratio", labels: { entity: "MPU Board 0" }, value: 0.19 },
      { reading: "memory_utilization_ratio", labels: { entity: "MPU Board 0" }, value: 0.54 },
      { reading: "cpu_utilization_ratio", labels: { entity: "FAN Card 0/3" }, value: "absent" },
      // hwFanStatusTable row 0.3: hwEntityFanPresent 1 present, hwEntityFanState 1 normal.
      { reading: "fan_ok", labels: { fan: "0.3" }, value: 1 },
    ],
  },
  {
    recording: "vrp_ac6605-26",
    profile: "huawei-wlan-ac",
    class: "wireless",
    rules: [
      [
        at("1.3.6.1.4.1.2011.5.25.31.1.1.1.1.11", "\\.\\d+"),
        "sensor_temperature_celsius",
        { sensor: "$descr" },
      ],
    ],
    deviations: {
      ".1.3.6.1.4.1.2011.5.25.31.1.1.1.1.13.9":
        "hwEntityVoltage reads 3 (mV) on the board: no supply voltage worth a reading; not mapped",
    },
    ports: true,
    // LibreNMS processors / mempools.
    raw: [
      { reading: "cpu_utilization_ratio", labels: { entity: "SRU Board 0" }, value: 0.07 },
      { reading: "memory_utilization_ratio", labels: { entity: "SRU Board 0" }, value: 0.36 },
      // LibreNMS wireless "AP Count" (hwWlanCurJointApNum) = 1.
      { reading: "wlan_aps_online", labels: {}, value: 1 },
    ],
  },
  {
    recording: "linux_icecast",
    profile: "host-resources",
    class: "server",
    rules: [],
    ports: true,
    // LibreNMS processors: hrProcessorLoad 13 %. Its mempool subtracts "Cached memory" (hrStorage row 7)
    // from physical memory used (50 %); the profile reports hrStorageRam used ÷ size as the agent
    // answers it (761144 of 841176 KB), cache included — a documented difference, see host-resources.yaml.
    raw: [
      { reading: "cpu_utilization_ratio", labels: { cpu: "196608" }, value: 0.13 },
      { reading: "memory_utilization_ratio", labels: {}, value: 761144 / 841176 },
      { reading: "storage_used_bytes", labels: { storage: "/" }, value: 1069665 * 4096 },
    ],
  },
];
