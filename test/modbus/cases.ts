import type { UnitMap } from "./peers.ts";

/**
 * One shipped (or test) profile served by a pymodbus unit: the raw registers, worked out by hand from
 * the register map in the profile's header (python's struct for floats), and what the agent must print.
 */
export interface ProfileCase {
  profile: string;
  /** Device id when one profile has several cases (default: the profile id). */
  id?: string;
  /** Readings that must not be printed (the device sent its "invalid" sentinel). */
  absent?: string[];
  /** A second case of a shipped profile: not repeated in the benchmark. */
  variant?: boolean;
  /** Test-only profiles live in test/modbus/cases. */
  testOnly?: boolean;
  unit: UnitMap;
  readings: Record<string, number>;
  firing: string[];
  clear: string[];
}

export const CASES: ProfileCase[] = [
  {
    profile: "apc-smart-ups-modbus",
    unit: {
      holding: {
        // UPSStatus_BF 0x00200024: on battery (2), general fault (5), overload (21); high word first.
        "0": 0x0020,
        "1": 0x0024,
        "18": 0x0002, // SimpleSignalingStatus_BF: shutdown imminent
        "128": 1, // runtime 0x0001_1170 = 70000 s
        "129": 0x1170,
        "130": 92 * 512,
        "131": 27.25 * 32,
        "135": 31.5 * 128,
        "136": 45 * 256,
        "140": 3.5 * 32,
        "142": 230 * 64,
        "144": 50 * 128,
        "151": 0,
      },
    },
    readings: {
      ups_on_battery: 1,
      ups_on_bypass: 0,
      ups_output_off: 0,
      "ups_alarm_active{alarm=general_fault}": 1,
      "ups_alarm_active{alarm=input_not_acceptable}": 0,
      "ups_alarm_active{alarm=overload}": 1,
      "ups_battery_status{status=low}": 1,
      "ups_battery_status{status=normal}": 0,
      ups_battery_runtime_seconds: 70000,
      ups_battery_charge_ratio: 0.92,
      ups_battery_voltage_volts: 27.25,
      ups_battery_temperature_celsius: 31.5,
      "ups_output_load_ratio{line=1}": 0.45,
      "ups_output_current_amperes{line=1}": 3.5,
      "ups_output_voltage_volts{line=1}": 230,
      ups_output_frequency_hertz: 50,
      "ups_input_voltage_volts{line=1}": 0,
    },
    firing: [
      "ups.on_battery",
      "ups.battery_low",
      "ups.alarm{alarm=general_fault}",
      "ups.alarm{alarm=overload}",
    ],
    clear: ["ups.bypass", "ups.overload{line=1}", "ups.alarm{alarm=input_not_acceptable}"],
  },
  {
    profile: "huawei-ups2000-modbus",
    unit: {
      holding: {
        "11000": 2301,
        "11003": 500,
        "11008": 2200,
        "11011": 35,
        "11014": 500,
        "11021": 955,
        "11024": 1, // bypass
        "11043": 0x40, // bit 6: low battery
        "12000": 1365,
        "12003": 80,
        "12004": 1, // backup time 0x0001_86A0 = 100000 s
        "12005": 0x86a0,
        // Alarm registers of UPS 1: NUT's table addresses + 1024 (ups2000_update_alarm reads 41180 × 27).
        "41180": 0x08,
        "41185": 0,
        "41188": 0,
        "41194": 0x10,
        "41197": 0x20,
      },
    },
    readings: {
      "ups_input_voltage_volts{line=1}": 230.1,
      ups_input_frequency_hertz: 50,
      "ups_output_voltage_volts{line=1}": 220,
      "ups_output_current_amperes{line=1}": 3.5,
      "ups_output_load_ratio{line=1}": 0.955,
      "ups_output_source{source=bypass}": 1,
      "ups_output_source{source=normal}": 0,
      ups_on_battery: 0,
      "ups_battery_status{status=low}": 1,
      ups_battery_voltage_volts: 136.5,
      ups_battery_charge_ratio: 0.8,
      ups_battery_runtime_seconds: 100000,
      "ups_alarm_active{alarm=overtemperature}": 1,
      "ups_alarm_active{alarm=bypass_voltage_abnormal}": 0,
      "ups_alarm_active{alarm=battery_disconnected}": 1,
      "ups_alarm_active{alarm=overload_105}": 1,
      "ups_alarm_active{alarm=overload_110}": 0,
    },
    firing: [
      "ups.battery_low",
      "ups.overload{line=1}",
      "ups.bypass",
      "ups.alarm{alarm=overtemperature}",
      "ups.alarm{alarm=battery_disconnected}",
      "ups.alarm{alarm=overload_105}",
    ],
    clear: ["ups.on_battery", "ups.alarm{alarm=overload_110}"],
  },
  {
    // The same UPS2000 with no mains measured and no battery estimate: NUT's huawei-ups2000 driver
    // documents 0x7FFF (fixed-point), 0xFFFF (uint16) and 0xFFFFFFFF (uint32) as "invalid".
    profile: "huawei-ups2000-modbus",
    id: "huawei-ups2000-invalid",
    variant: true,
    unit: {
      holding: {
        "11000": 0x7fff,
        "11003": 0x7fff,
        "11008": 2200,
        "11011": 0x7fff,
        "11014": 500,
        "11021": 100,
        "11024": 3, // battery
        "11043": 0,
        "12000": 1365,
        "12003": 0xffff,
        "12004": 0xffff,
        "12005": 0xffff,
        "41180": 0,
        "41185": 0,
        "41188": 0,
        "41194": 0,
        "41197": 0,
      },
    },
    readings: {
      "ups_output_voltage_volts{line=1}": 220,
      ups_on_battery: 1,
      ups_battery_voltage_volts: 136.5,
    },
    absent: [
      "ups_input_voltage_volts{line=1}",
      "ups_input_frequency_hertz",
      "ups_output_current_amperes{line=1}",
      "ups_battery_charge_ratio",
      "ups_battery_runtime_seconds",
    ],
    firing: ["ups.on_battery"],
    clear: ["ups.battery_low"],
  },
  {
    profile: "test-float-ups-modbus",
    testOnly: true,
    unit: {
      holding: {
        "0": 0xcccd, // 229.8 as float32 0x4365CCCD, low word first
        "1": 0x4365,
        "2": 0x5180, // 86400 = 0x0001_5180, low word first
        "3": 0x0001,
        "4": 0xffc9, // -55 = 0xFFFF_FFC9, low word first
        "5": 0xffff,
        "6": 0x0000, // 87.5 as float32 0x42AF0000, bytes reversed (DCBA)
        "7": 0xaf42,
        "8": 0b1011, // on battery, battery low, overload
        "20": 0, // 5_000_000_000 = 0x0000_0001_2A05_F200
        "21": 1,
        "22": 0x2a05,
        "23": 0xf200,
      },
      coil: { "4": 0, "5": 1 },
    },
    readings: {
      "ups_input_voltage_volts{line=1}": 229.8,
      ups_battery_runtime_seconds: 86400,
      ups_battery_temperature_celsius: -5.5,
      "ups_output_load_ratio{line=1}": 0.875,
      ups_on_battery: 1,
      "ups_battery_status{status=low}": 1,
      ups_on_bypass: 0,
      "ups_alarm_active{alarm=overload}": 1,
      ups_output_energy_watt_hours_total: 5_000_000_000,
      ups_output_off: 1,
    },
    firing: ["ups.on_battery", "ups.battery_low", "ups.alarm{alarm=overload}"],
    clear: ["ups.bypass", "ups.overload{line=1}"],
  },
  {
    profile: "generic-precision-ac-modbus",
    unit: {
      input: {
        "0": 0x0000, // 24.5 = 0x41C40000, low word first
        "1": 0x41c4,
        "2": 0x0000, // 65.5 = 0x42830000
        "3": 0x4283,
        "4": 0x0000, // 28.25 = 0x41E20000
        "5": 0x41e2,
      },
      holding: { "0": 1, "1": 0b1001_0000 }, // water under unit (4), fan failure (7)
    },
    readings: {
      "temperature_celsius{sensor=return_air}": 24.5,
      "humidity_ratio{sensor=return_air}": 0.655,
      "temperature_celsius{sensor=supply_air}": 28.25,
      ac_running: 1,
      "water_leak{sensor=under_ac}": 1,
      "ac_alarm_active{alarm=fan_failure}": 1,
      "ac_alarm_active{alarm=high_temperature}": 0,
    },
    firing: [
      "env.temperature_high",
      "env.humidity_high{sensor=return_air}",
      "env.water_leak{sensor=under_ac}",
      "ac.alarm{alarm=fan_failure}",
    ],
    clear: ["env.temperature_low", "ac.stopped", "ac.alarm{alarm=filter_clogged}"],
  },
  {
    profile: "xy-md02-th-sensor-modbus",
    unit: { input: { "1": 286, "2": 455 } },
    readings: { "temperature_celsius{sensor=rack_inlet}": 28.6, "humidity_ratio{sensor=rack_inlet}": 0.455 },
    firing: ["env.temperature_high{sensor=rack_inlet}"],
    clear: ["env.temperature_low{sensor=rack_inlet}", "env.humidity_high{sensor=rack_inlet}"],
  },
  {
    profile: "generic-leak-detector-modbus",
    unit: { discrete: { "0": 1, "1": 0 } },
    readings: { "water_leak{sensor=cable1}": 1, "leak_cable_fault{sensor=cable1}": 0 },
    firing: ["env.water_leak{sensor=cable1}"],
    clear: ["env.leak_sensor_fault{sensor=cable1}"],
  },
  {
    profile: "generic-ups-modbus",
    unit: {
      holding: {
        "0": 2301,
        "1": 5000,
        "2": 2200,
        "3": 95,
        "4": 60,
        "5": 12,
        "6": 545,
        "7": 0xffec,
        "8": 3,
        "9": 1,
        "10": 2,
      },
    },
    readings: {
      "ups_input_voltage_volts{line=1}": 230.1,
      ups_input_frequency_hertz: 50,
      "ups_output_load_ratio{line=1}": 0.95,
      ups_battery_runtime_seconds: 720,
      ups_battery_temperature_celsius: -2,
      "ups_output_source{source=bypass}": 1,
      ups_alarms_present: 2,
    },
    firing: ["ups.bypass", "ups.overload{line=1}"],
    clear: ["ups.on_battery", "ups.battery_low"],
  },
];
