/**
 * The canonical readings as people on the floor read them: a Chinese name for every name in
 * common/vocabulary.ts (an English name where the vocabulary's help is too long for a label), and how
 * its value is shown. A test holds this map to the vocabulary: adding a reading there means adding its
 * label here, and the unit must fit the name's suffix (`_seconds` a duration, `_ratio` a percentage…).
 *
 * `unit` is the display, not the stored unit (that is always the base unit in the name):
 * - `duration`: seconds, shown as 毫秒 / 秒 / 分钟 / 小时 / 天 as fits (runtime 1800 → 30 分钟)
 * - `hours`: seconds shown in hours (lamp and filter hours, as the vendors count them)
 * - `percent`: 0–1 shown as %
 * - `celsius` °C, `volts` V, `amperes` A, `watts` W, `watt_hours` kWh, `hertz` Hz, `rpm` 转/分,
 *   `pixels` 像素, `bytes` KiB…TiB, `bits_per_second` kbit/s…Gbit/s
 * - `number`: a count, as is; `code`: a protocol status code (HTTP, SIP), as is
 * - `flag`: 0/1, shown as `states` ([0, 1] words; default 否 / 是)
 * - `one_hot`: one sample per value of `valueLabel`, 1 for the current one (ups_output_source{source});
 *   shown as that value in words (`values`; every value a shipped profile's `states` map can give
 *   must be there, a test checks)
 * - `info`: value always 1, the labels carry the information
 */

export type UnitDisplay =
  | "duration"
  | "hours"
  | "percent"
  | "celsius"
  | "volts"
  | "amperes"
  | "watts"
  | "watt_hours"
  | "hertz"
  | "rpm"
  | "pixels"
  | "bytes"
  | "bits_per_second"
  | "number"
  | "code"
  | "flag"
  | "one_hot"
  | "info";

export interface ReadingLabel {
  zh: string;
  /** A short English label; absent: the vocabulary's help text. */
  en?: string;
  unit: UnitDisplay;
  /** For a `flag`: the words for 0 and for 1. */
  states?: { zh: readonly [string, string]; en: readonly [string, string] };
  /** For a `one_hot`: the label whose value is the state, and each value in words. */
  valueLabel?: string;
  values?: Readonly<Record<string, { zh: string; en: string }>>;
}

const UP = { zh: ["离线", "在线"], en: ["down", "up"] } as const;
const ALARM = { zh: ["正常", "告警"], en: ["normal", "alarm"] } as const;
const OK = { zh: ["异常", "正常"], en: ["fault", "ok"] } as const;
const ON = { zh: ["关", "开"], en: ["off", "on"] } as const;
const ENABLED = { zh: ["已禁用", "已启用"], en: ["disabled", "enabled"] } as const;
const LEAK = { zh: ["无", "漏水"], en: ["dry", "leak"] } as const;
const CABLE = { zh: ["正常", "断线"], en: ["ok", "broken"] } as const;
const RUNNING = { zh: ["停机", "运行"], en: ["stopped", "running"] } as const;
const SUCCEEDED = { zh: ["失败", "成功"], en: ["failed", "succeeded"] } as const;
const PASSED = { zh: ["不符", "通过"], en: ["failed", "passed"] } as const;

const OTHER = { zh: "其他", en: "other" };
const SOURCES = {
  normal: { zh: "市电（逆变）", en: "mains (inverter)" },
  battery: { zh: "电池", en: "battery" },
  bypass: { zh: "旁路", en: "bypass" },
  none: { zh: "无输出", en: "none" },
  other: OTHER,
};
const BATTERY = {
  normal: { zh: "正常", en: "normal" },
  low: { zh: "电量低", en: "low" },
  depleted: { zh: "耗尽", en: "depleted" },
  unknown: { zh: "未知", en: "unknown" },
};
const LOAD = {
  low: { zh: "轻载", en: "low" },
  normal: { zh: "正常", en: "normal" },
  near_overload: { zh: "接近过载", en: "near overload" },
  overload: { zh: "过载", en: "overload" },
  other: OTHER,
};

const HA = {
  active: { zh: "主用", en: "active" },
  passive: { zh: "备用", en: "passive" },
  suspended: { zh: "已挂起", en: "suspended" },
  initial: { zh: "初始化", en: "initial" },
  "non-functional": { zh: "不可用", en: "non-functional" },
  tentative: { zh: "待定", en: "tentative" },
  disabled: { zh: "未启用", en: "disabled" },
  other: OTHER,
};

export const READING_LABELS: Readonly<Record<string, ReadingLabel>> = {
  // every device
  device_up: { zh: "设备在线", en: "device up", unit: "flag", states: UP },
  poll_duration_seconds: { zh: "轮询耗时", en: "poll duration", unit: "duration" },
  system_uptime_seconds: { zh: "运行时长", en: "uptime", unit: "duration" },
  // UPS
  ups_on_battery: { zh: "电池供电", en: "on battery", unit: "flag" },
  ups_on_bypass: { zh: "旁路运行", en: "on bypass", unit: "flag" },
  ups_output_off: { zh: "输出关闭", en: "output off", unit: "flag" },
  ups_output_source: {
    zh: "输出电源",
    en: "output source",
    unit: "one_hot",
    valueLabel: "source",
    values: SOURCES,
  },
  ups_battery_status: {
    zh: "电池状态",
    en: "battery status",
    unit: "one_hot",
    valueLabel: "status",
    values: BATTERY,
  },
  ups_battery_charge_ratio: { zh: "电池电量", en: "battery charge", unit: "percent" },
  ups_battery_runtime_seconds: { zh: "电池剩余时间", en: "battery runtime", unit: "duration" },
  ups_battery_voltage_volts: { zh: "电池电压", en: "battery voltage", unit: "volts" },
  ups_battery_current_amperes: { zh: "电池电流", en: "battery current", unit: "amperes" },
  ups_battery_temperature_celsius: { zh: "电池温度", en: "battery temperature", unit: "celsius" },
  ups_battery_replace_needed: { zh: "电池需更换", en: "battery replacement needed", unit: "flag" },
  ups_time_on_battery_seconds: { zh: "电池供电时长", en: "time on battery", unit: "duration" },
  ups_input_voltage_volts: { zh: "输入电压", en: "input voltage", unit: "volts" },
  ups_input_frequency_hertz: { zh: "输入频率", en: "input frequency", unit: "hertz" },
  ups_input_current_amperes: { zh: "输入电流", en: "input current", unit: "amperes" },
  ups_output_voltage_volts: { zh: "输出电压", en: "output voltage", unit: "volts" },
  ups_output_current_amperes: { zh: "输出电流", en: "output current", unit: "amperes" },
  ups_output_frequency_hertz: { zh: "输出频率", en: "output frequency", unit: "hertz" },
  ups_output_power_watts: { zh: "输出有功功率", en: "output power", unit: "watts" },
  ups_output_load_ratio: { zh: "输出负载", en: "output load", unit: "percent" },
  ups_output_energy_watt_hours_total: { zh: "累计输出电能", en: "output energy", unit: "watt_hours" },
  ups_bypass_voltage_volts: { zh: "旁路电压", en: "bypass voltage", unit: "volts" },
  ups_bypass_current_amperes: { zh: "旁路电流", en: "bypass current", unit: "amperes" },
  ups_bypass_frequency_hertz: { zh: "旁路频率", en: "bypass frequency", unit: "hertz" },
  ups_alarms_present: { zh: "当前告警数", en: "alarms present", unit: "number" },
  ups_alarm_active: { zh: "UPS 告警", en: "UPS alarm", unit: "flag", states: ALARM },
  // network, security, wireless
  if_oper_up: { zh: "端口状态", en: "port status", unit: "flag", states: UP },
  if_admin_up: { zh: "端口管理状态", en: "port admin status", unit: "flag", states: ENABLED },
  if_in_octets_total: { zh: "累计接收", en: "received", unit: "bytes" },
  if_out_octets_total: { zh: "累计发送", en: "sent", unit: "bytes" },
  if_in_errors_total: { zh: "累计接收错误", en: "inbound errors", unit: "number" },
  if_out_errors_total: { zh: "累计发送错误", en: "outbound errors", unit: "number" },
  if_speed_bits_per_second: { zh: "端口速率", en: "port speed", unit: "bits_per_second" },
  cpu_utilization_ratio: { zh: "CPU 利用率", en: "CPU utilisation", unit: "percent" },
  memory_utilization_ratio: { zh: "内存利用率", en: "memory utilisation", unit: "percent" },
  sensor_temperature_celsius: { zh: "设备温度", en: "device temperature", unit: "celsius" },
  fan_speed_rpm: { zh: "风扇转速", en: "fan speed", unit: "rpm" },
  entity_sensor_ok: { zh: "传感器状态", en: "sensor status", unit: "flag", states: OK },
  fan_ok: { zh: "风扇状态", en: "fan status", unit: "flag", states: OK },
  psu_ok: { zh: "电源状态", en: "power supply status", unit: "flag", states: OK },
  device_health_ok: { zh: "设备健康状态", en: "device health", unit: "flag", states: OK },
  memory_pool_used_bytes: { zh: "内存池已用", en: "memory pool used", unit: "bytes" },
  memory_pool_free_bytes: { zh: "内存池空闲", en: "memory pool free", unit: "bytes" },
  transceiver_rx_power_dbm: { zh: "光模块接收光功率 (dBm)", en: "optical rx power (dBm)", unit: "number" },
  transceiver_tx_power_dbm: { zh: "光模块发送光功率 (dBm)", en: "optical tx power (dBm)", unit: "number" },
  firewall_sessions_active: { zh: "并发会话数", en: "concurrent sessions", unit: "number" },
  firewall_session_utilization_ratio: { zh: "会话表使用率", en: "session table use", unit: "percent" },
  ha_state: { zh: "双机热备角色", en: "HA role", unit: "one_hot", valueLabel: "state", values: HA },
  ha_sync_ok: { zh: "双机配置同步", en: "HA sync", unit: "flag", states: OK },
  wlan_aps_online: { zh: "在线AP数", en: "APs online", unit: "number" },
  wlan_clients_online: { zh: "在线终端数", en: "wireless clients", unit: "number" },
  wlan_ap_up: { zh: "AP在线", en: "AP up", unit: "flag", states: UP },
  nvr_channel_up: { zh: "录像通道在线", en: "NVR channel up", unit: "flag", states: UP },
  // hosts, NVRs
  memory_total_bytes: { zh: "物理内存", en: "memory", unit: "bytes" },
  memory_available_bytes: { zh: "可用内存", en: "memory available", unit: "bytes" },
  storage_used_bytes: { zh: "存储已用", en: "storage used", unit: "bytes" },
  storage_size_bytes: { zh: "存储容量", en: "storage size", unit: "bytes" },
  disk_ok: { zh: "硬盘状态", en: "disk status", unit: "flag", states: OK },
  disk_used_ratio: { zh: "硬盘使用率", en: "disk used", unit: "percent" },
  // environment
  temperature_celsius: { zh: "温度", en: "temperature", unit: "celsius" },
  humidity_ratio: { zh: "相对湿度", en: "relative humidity", unit: "percent" },
  water_leak: { zh: "漏水", en: "water leak", unit: "flag", states: LEAK },
  leak_cable_fault: { zh: "漏水感应线", en: "leak cable", unit: "flag", states: CABLE },
  smoke_alarm: { zh: "烟感", en: "smoke detector", unit: "flag", states: ALARM },
  dry_contact_alarm: { zh: "干接点", en: "dry contact", unit: "flag", states: ALARM },
  // precision air conditioning
  ac_running: { zh: "空调运行", en: "air conditioner running", unit: "flag", states: RUNNING },
  ac_alarm_active: { zh: "空调告警", en: "air conditioner alarm", unit: "flag", states: ALARM },
  // PDU
  pdu_voltage_volts: { zh: "PDU 电压", en: "PDU voltage", unit: "volts" },
  pdu_current_amperes: { zh: "PDU 电流", en: "PDU current", unit: "amperes" },
  pdu_power_watts: { zh: "PDU 有功功率", en: "PDU power", unit: "watts" },
  pdu_total_power_watts: { zh: "PDU 总功率", en: "PDU total power", unit: "watts" },
  pdu_frequency_hertz: { zh: "PDU 频率", en: "PDU frequency", unit: "hertz" },
  pdu_load_state: {
    zh: "PDU 负载状态",
    en: "PDU load state",
    unit: "one_hot",
    valueLabel: "state",
    values: LOAD,
  },
  // display wall
  display_up: { zh: "屏通信", en: "tile reachable", unit: "flag", states: UP },
  display_power_on: { zh: "屏电源", en: "tile power", unit: "flag", states: ON },
  display_power_state: { zh: "屏电源状态", en: "tile power state", unit: "number" },
  display_off_when_scheduled_on: { zh: "开屏时段内待机", en: "off during on-hours", unit: "flag" },
  display_error: { zh: "屏故障", en: "tile error", unit: "flag", states: ALARM },
  display_warning: { zh: "屏警告", en: "tile warning", unit: "flag", states: ALARM },
  display_lamp_seconds: { zh: "灯泡使用时长", en: "lamp hours", unit: "hours" },
  display_lamp_on: { zh: "灯泡点亮", en: "lamp lit", unit: "flag", states: ON },
  display_filter_seconds: { zh: "滤网使用时长", en: "filter hours", unit: "hours" },
  display_input: { zh: "当前信号源", en: "input", unit: "number" },
  display_input_width_pixels: { zh: "输入信号宽度", en: "input width", unit: "pixels" },
  display_input_height_pixels: { zh: "输入信号高度", en: "input height", unit: "pixels" },
  display_info: { zh: "屏信息", en: "tile information", unit: "info" },
  // links, services, trunks
  probe_success: { zh: "探测结果", en: "probe", unit: "flag", states: SUCCEEDED },
  probe_duration_seconds: { zh: "探测耗时", en: "probe duration", unit: "duration" },
  probe_degraded: { zh: "线路劣化", en: "degraded", unit: "flag" },
  probe_packet_loss_ratio: { zh: "丢包率", en: "packet loss", unit: "percent" },
  probe_rtt_seconds: { zh: "平均往返时延", en: "mean round trip", unit: "duration" },
  probe_rtt_max_seconds: { zh: "最大往返时延", en: "longest round trip", unit: "duration" },
  probe_assertion_ok: { zh: "响应校验", en: "response check", unit: "flag", states: PASSED },
  http_response_status_code: { zh: "HTTP 状态码", en: "HTTP status", unit: "code" },
  tls_certificate_remaining_seconds: { zh: "证书剩余有效期", en: "certificate expires in", unit: "duration" },
  sip_options_answered: { zh: "SIP 中继应答", en: "trunk answered", unit: "flag" },
  sip_options_status_code: { zh: "SIP 状态码", en: "SIP status", unit: "code" },
};
