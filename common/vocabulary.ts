/**
 * The canonical readings: the one list every profile's reading names are checked against at load, that
 * README's "Canonical readings" table quotes (a test holds the two equal) and DESIGN.md's vocabulary
 * extends. Each name ends in its base unit (`_volts`, `_amperes`, `_watts`, `_hertz`, `_celsius`,
 * `_seconds`, `_bytes`, `_ratio` for 0–1) or is a 0/1 state or a `_total` counter, whatever the vendor's
 * scaling; exported as `watchfloor_<name>` with a `device` label. To add a quantity, add it here (and
 * to README's table, and its Chinese label and display to common/vocabulary-zh.ts) — a profile cannot
 * invent a name.
 */
import { didYouMean } from "./config/nearest.ts";

export interface CanonicalReading {
  help: string;
  /** Labels that tell instances apart (beyond `device`). */
  labels?: readonly string[];
}

export const CANONICAL_READINGS: Readonly<Record<string, CanonicalReading>> = {
  // every device
  device_up: { help: "1 when the device answered its last poll" },
  poll_duration_seconds: { help: "How long the device's last poll took" },
  system_uptime_seconds: { help: "Time since the device's management agent started (sysUpTime)" },
  // UPS
  ups_on_battery: { help: "1 while the UPS runs on battery" },
  ups_on_bypass: { help: "1 while the UPS is on bypass" },
  ups_output_off: { help: "1 while the UPS output is off" },
  ups_output_source: { help: "1 for the UPS's current output source", labels: ["source"] },
  ups_battery_status: { help: "1 for the battery's current status", labels: ["status"] },
  ups_battery_charge_ratio: { help: "Battery charge, 0–1" },
  ups_battery_runtime_seconds: { help: "Estimated runtime on battery" },
  ups_battery_voltage_volts: { help: "Battery voltage" },
  ups_battery_temperature_celsius: { help: "Battery temperature" },
  ups_battery_current_amperes: { help: "Battery current (DC, the device's sign; XUPS: + discharging)" },
  ups_battery_replace_needed: { help: "1 when the UPS asks for its battery to be replaced" },
  ups_time_on_battery_seconds: { help: "Time since the UPS went on battery (0 on mains)" },
  ups_input_voltage_volts: { help: "Input voltage per line", labels: ["line"] },
  ups_input_frequency_hertz: { help: "Input frequency" },
  ups_input_current_amperes: { help: "Input current per line (phase)", labels: ["line"] },
  ups_output_voltage_volts: { help: "Output voltage per line", labels: ["line"] },
  ups_output_current_amperes: { help: "Output current per line", labels: ["line"] },
  ups_output_frequency_hertz: { help: "Output frequency" },
  ups_output_power_watts: { help: "Output active power" },
  ups_output_load_ratio: { help: "Output load, 0–1 of the rating, per line", labels: ["line"] },
  ups_output_energy_watt_hours_total: { help: "Energy delivered by the output (counter)" },
  ups_bypass_voltage_volts: { help: "Bypass voltage per line", labels: ["line"] },
  ups_bypass_current_amperes: { help: "Bypass current per line (phase)", labels: ["line"] },
  ups_bypass_frequency_hertz: { help: "Bypass frequency" },
  ups_alarms_present: { help: "Number of active UPS alarms" },
  ups_alarm_active: { help: "1 while the named UPS alarm is active", labels: ["alarm"] },
  // network, security, wireless
  if_oper_up: { help: "1 when the interface is operationally up", labels: ["ifname"] },
  if_admin_up: { help: "1 when the interface is administratively up", labels: ["ifname"] },
  if_in_octets_total: { help: "Octets received (counter)", labels: ["ifname"] },
  if_out_octets_total: { help: "Octets sent (counter)", labels: ["ifname"] },
  if_in_errors_total: { help: "Inbound errors (counter)", labels: ["ifname"] },
  if_out_errors_total: { help: "Outbound errors (counter)", labels: ["ifname"] },
  if_speed_bits_per_second: { help: "Interface speed", labels: ["ifname"] },
  cpu_utilization_ratio: { help: "CPU utilisation, 0–1" },
  memory_utilization_ratio: { help: "Memory utilisation, 0–1" },
  sensor_temperature_celsius: { help: "A device's own temperature sensor", labels: ["sensor"] },
  fan_speed_rpm: { help: "Fan speed (revolutions per minute)", labels: ["sensor"] },
  entity_sensor_ok: { help: "1 when an ENTITY-SENSOR sensor reports ok", labels: ["sensor"] },
  // network, security, wireless: vendor hardware and service state
  fan_ok: { help: "1 when the fan reports normal", labels: ["fan"] },
  psu_ok: { help: "1 when the power supply reports normal", labels: ["psu"] },
  device_health_ok: { help: "1 when the device reports its overall health as normal" },
  memory_pool_used_bytes: { help: "Memory used in a pool (Cisco memory pools)", labels: ["pool"] },
  memory_pool_free_bytes: { help: "Memory free in a pool (Cisco memory pools)", labels: ["pool"] },
  // Optical power stays in dBm, the logarithmic unit every optics datasheet and vendor MIB uses.
  transceiver_rx_power_dbm: { help: "Optical receive power of a transceiver (dBm)", labels: ["port"] },
  transceiver_tx_power_dbm: { help: "Optical transmit power of a transceiver (dBm)", labels: ["port"] },
  firewall_sessions_active: { help: "Concurrent sessions (connections) the firewall tracks" },
  firewall_session_utilization_ratio: { help: "Session table use, 0–1 of its capacity" },
  ha_state: {
    help: "1 for the HA member's current role (active, passive, …); member: local or peer",
    labels: ["member", "state"],
  },
  ha_sync_ok: { help: "1 when the HA member's configuration is in sync", labels: ["member"] },
  wlan_aps_online: { help: "Access points online on the wireless controller" },
  wlan_clients_online: {
    help: "Wireless clients (stations) associated through the controller, per AP where it counts them per AP",
    labels: ["ap"],
  },
  wlan_ap_up: { help: "1 when the access point is online on its controller", labels: ["ap"] },
  nvr_channel_up: { help: "1 when the NVR's video channel (camera) is online", labels: ["channel"] },
  // hosts, NVRs
  memory_total_bytes: { help: "Physical memory" },
  memory_available_bytes: { help: "Memory available to programs" },
  storage_used_bytes: { help: "Storage used", labels: ["storage"] },
  storage_size_bytes: { help: "Storage size", labels: ["storage"] },
  disk_ok: { help: "1 when the disk reports healthy", labels: ["disk"] },
  disk_used_ratio: { help: "Disk space used, 0–1", labels: ["disk"] },
  // environment
  temperature_celsius: { help: "Room or rack temperature", labels: ["sensor"] },
  humidity_ratio: { help: "Relative humidity, 0–1", labels: ["sensor"] },
  water_leak: { help: "1 while water is detected" },
  leak_cable_fault: { help: "1 when a leak-detection cable is broken", labels: ["sensor"] },
  smoke_alarm: { help: "1 while the smoke detector alarms" },
  dry_contact_alarm: { help: "1 while a dry contact is in its alarm state", labels: ["contact"] },
  // precision air conditioning
  ac_running: { help: "1 while the air conditioner runs" },
  ac_alarm_active: { help: "1 while the named air-conditioner alarm is active", labels: ["alarm"] },
  // PDU
  pdu_voltage_volts: { help: "PDU voltage per phase", labels: ["phase"] },
  pdu_current_amperes: { help: "PDU current per phase or outlet", labels: ["phase", "outlet"] },
  pdu_power_watts: { help: "PDU active power per phase or outlet", labels: ["phase", "outlet"] },
  pdu_total_power_watts: { help: "PDU total active power" },
  pdu_frequency_hertz: { help: "PDU frequency" },
  pdu_load_state: { help: "1 for the PDU's current load state", labels: ["state"] },
  // display wall (PJLink; one wall = one device, its tiles as the tile label)
  display_up: { help: "1 when the tile answered its last PJLink query", labels: ["tile"] },
  display_power_on: { help: "1 while the tile is powered on", labels: ["tile"] },
  display_power_state: {
    help: "PJLink power state: 0 standby, 1 on, 2 cooling down, 3 warming up",
    labels: ["tile"],
  },
  display_off_when_scheduled_on: {
    help: "1 while the tile is in standby during the wall's on-hours",
    labels: ["tile"],
  },
  display_error: {
    help: "1 while the tile reports an error of the component",
    labels: ["tile", "component"],
  },
  display_warning: {
    help: "1 while the tile reports a warning of the component",
    labels: ["tile", "component"],
  },
  // PJLink counts hours; DESIGN's display_lamp_hours is kept in the base unit (promtool refuses _hours).
  display_lamp_seconds: { help: "Lamp (light source) operating time", labels: ["tile", "lamp"] },
  display_lamp_on: { help: "1 while the lamp is lit", labels: ["tile", "lamp"] },
  display_filter_seconds: { help: "Filter usage time", labels: ["tile"] },
  display_input: { help: "The tile's current input (PJLink input number)", labels: ["tile"] },
  display_input_width_pixels: {
    help: "Width of the tile's input signal (PJLink class 2 IRES)",
    labels: ["tile"],
  },
  display_input_height_pixels: {
    help: "Height of the tile's input signal (PJLink class 2 IRES)",
    labels: ["tile"],
  },
  display_info: {
    help: "1, labelled with the tile's PJLink class, name, manufacturer, model, serial and software version",
    labels: ["tile", "class", "name", "manufacturer", "model", "serial", "software"],
  },
  // links, services, trunks (probes)
  probe_success: { help: "1 when the last probe succeeded" },
  probe_duration_seconds: { help: "How long the last probe took" },
  probe_degraded: { help: "1 when the link answers but loss or round trip is over its threshold" },
  probe_packet_loss_ratio: { help: "Share of echo requests lost in the last burst, 0–1" },
  probe_rtt_seconds: { help: "Mean round trip of the last burst" },
  probe_rtt_max_seconds: { help: "Longest round trip of the last burst" },
  probe_assertion_ok: { help: "1 when the response met the probe's assertion" },
  http_response_status_code: { help: "HTTP status code of the last probe" },
  tls_certificate_remaining_seconds: { help: "Time until the server certificate expires" },
  sip_options_answered: { help: "1 when the trunk answered the last OPTIONS" },
  sip_options_status_code: { help: "SIP status code of the last OPTIONS answer" },
};

export function isCanonicalReading(name: string): boolean {
  return Object.hasOwn(CANONICAL_READINGS, name);
}

/** The error for a name outside the vocabulary, with the nearest canonical name when one is close. */
export function notCanonical(name: string): string {
  return `${name} is not a canonical reading name${didYouMean(name, Object.keys(CANONICAL_READINGS))}; the vocabulary is in common/vocabulary.ts (README, "Canonical readings"): add a new quantity there, in its base unit`;
}
