/**
 * What failed, in words: condition names and event labels (port, sensor, phase…) as people say them.
 * A condition or label nobody translated yet shows as recorded, so a new profile never hides a fault.
 */
import type { Fault, Inventory } from "../../domain/index.ts";
import type { Lang } from "./i18n.ts";

const CONDITIONS: Record<Lang, Record<string, string>> = {
  zh: {
    "device.unreachable": "设备不可达",
    "device.cpu_high": "CPU 过高",
    "device.sensor_fault": "传感器故障",
    "device.temperature_high": "设备温度过高",
    "if.down": "端口断开",
    "link.down": "线路中断",
    "trunk.down": "中继中断",
    "ups.on_battery": "市电中断，电池供电",
    "ups.battery_low": "电池电量低",
    "ups.battery_depleted": "电池耗尽",
    "ups.battery_replace": "电池需更换",
    "ups.overload": "UPS 过载",
    "ups.bypass": "UPS 旁路运行",
    "ups.alarm": "UPS 告警",
    "display.error": "大屏故障",
    "env.temperature_high": "温度过高",
    "env.temperature_low": "温度过低",
    "env.humidity_high": "湿度过高",
    "env.water_leak": "漏水",
    "env.smoke_alarm": "烟感告警",
    "env.leak_sensor_fault": "漏水传感器故障",
    "env.contact_alarm": "门磁 / 干接点告警",
    "host.memory_high": "内存占用过高",
    "nvr.disk_fault": "录像机硬盘故障",
    "pdu.overload": "PDU 过载",
    "pdu.near_overload": "PDU 接近过载",
    "ac.alarm": "空调告警",
    "ac.stopped": "空调停机",
    "agent.down": "采集代理失联",
    "roster.missing": "值班表缺失",
    "device.fan_fault": "风扇故障",
    "device.psu_fault": "电源模块故障",
    "device.health_warning": "设备健康告警",
    "display.power_off": "大屏断电",
    "display.unreachable": "大屏控制器不可达",
    "firewall.sessions_high": "防火墙会话数过高",
    "ha.member_fault": "双机成员故障",
    "ha.member_suspended": "双机成员挂起",
    "ha.out_of_sync": "双机配置不同步",
    "host.disk_full": "磁盘将满",
    "link.degraded": "线路质量下降",
    "nvr.camera_offline": "摄像机离线",
    "service.down": "服务不可用",
    "tls.certificate_expiring": "证书即将过期",
    "trunk.error": "中继异常（拒绝呼叫）",
    "wlan.ap_down": "无线 AP 离线",
    "inspection.abnormal": "巡检异常",
    manual: "人工报障",
  },
  en: {
    "device.unreachable": "device unreachable",
    "device.cpu_high": "CPU high",
    "device.sensor_fault": "sensor fault",
    "device.temperature_high": "device temperature high",
    "if.down": "port down",
    "link.down": "link down",
    "trunk.down": "trunk down",
    "ups.on_battery": "mains lost, on battery",
    "ups.battery_low": "battery low",
    "ups.battery_depleted": "battery depleted",
    "ups.battery_replace": "battery needs replacing",
    "ups.overload": "UPS overload",
    "ups.bypass": "UPS on bypass",
    "ups.alarm": "UPS alarm",
    "display.error": "display wall error",
    "env.temperature_high": "temperature high",
    "env.temperature_low": "temperature low",
    "env.humidity_high": "humidity high",
    "env.water_leak": "water leak",
    "env.smoke_alarm": "smoke detected",
    "env.leak_sensor_fault": "leak sensor fault",
    "env.contact_alarm": "door / contact alarm",
    "host.memory_high": "memory high",
    "nvr.disk_fault": "NVR disk fault",
    "pdu.overload": "PDU overload",
    "pdu.near_overload": "PDU near overload",
    "ac.alarm": "air conditioner alarm",
    "ac.stopped": "air conditioner stopped",
    "agent.down": "collector agent down",
    "roster.missing": "duty roster missing",
    "device.fan_fault": "fan fault",
    "device.psu_fault": "power supply fault",
    "device.health_warning": "device health warning",
    "display.power_off": "display wall powered off",
    "display.unreachable": "display controller unreachable",
    "firewall.sessions_high": "firewall sessions high",
    "ha.member_fault": "HA member fault",
    "ha.member_suspended": "HA member suspended",
    "ha.out_of_sync": "HA pair out of sync",
    "host.disk_full": "disk nearly full",
    "link.degraded": "link degraded",
    "nvr.camera_offline": "camera offline",
    "service.down": "service down",
    "tls.certificate_expiring": "certificate expiring",
    "trunk.error": "trunk refusing calls",
    "wlan.ap_down": "wireless AP down",
    "inspection.abnormal": "inspection finding",
    manual: "reported by hand",
  },
};

const LABELS: Record<Lang, Record<string, string>> = {
  zh: {
    ifname: "端口",
    sensor: "传感器",
    phase: "相",
    line: "线路",
    outlet: "插座",
    tile: "屏",
    component: "部件",
    lamp: "灯泡",
    contact: "干接点",
    disk: "硬盘",
    storage: "存储",
    pdu: "PDU",
    cpu: "CPU",
    entity: "部件",
    alarm: "告警",
    source: "电源",
    state: "状态",
    status: "状态",
    fan: "风扇",
    psu: "电源",
    pool: "内存池",
    port: "端口",
    member: "成员",
    ap: "AP",
    channel: "通道",
    ifalias: "端口描述",
    ifindex: "端口索引",
    ups: "UPS",
  },
  en: {
    ifname: "port",
    sensor: "sensor",
    phase: "phase",
    line: "line",
    outlet: "outlet",
    tile: "tile",
    component: "component",
    lamp: "lamp",
    contact: "contact",
    disk: "disk",
    storage: "storage",
    pdu: "PDU",
    cpu: "CPU",
    entity: "part",
    alarm: "alarm",
    source: "source",
    state: "state",
    status: "status",
    fan: "fan",
    psu: "power supply",
    pool: "pool",
    port: "port",
    member: "member",
    ap: "AP",
    channel: "channel",
    ifalias: "port description",
    ifindex: "ifIndex",
    ups: "UPS",
  },
};

/** A label's name as people say it ("端口" for ifname); an unknown one as recorded. */
export function labelName(key: string, lang: Lang): string {
  return LABELS[lang][key] ?? key;
}

/** Whether a label has its words in both languages. */
export function labelTranslated(key: string): boolean {
  return Object.hasOwn(LABELS.zh, key) && Object.hasOwn(LABELS.en, key);
}

/** Whether a condition has its words in both languages. */
export function conditionTranslated(condition: string): boolean {
  return Object.hasOwn(CONDITIONS.zh, condition) && Object.hasOwn(CONDITIONS.en, condition);
}

export function conditionName(condition: string, lang: Lang): string {
  return CONDITIONS[lang][condition] ?? condition;
}

/** "端口 Gi0/3 · 端口断开" / "port Gi0/3 · port down". */
export function whatFailed(f: Pick<Fault, "condition" | "labels">, lang: Lang): string {
  const labels = Object.entries(f.labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${labelName(k, lang)} ${v}`);
  return [...labels, conditionName(f.condition, lang)].join(" · ");
}

/** The device's name and zone from the site inventory (its id when the site gives no name). */
export function deviceOf(inventory: Inventory, id: string): { name: string; zone?: string } {
  const d = inventory.devices[id];
  return { name: d?.name ?? id, zone: d?.zoneName ?? d?.zone };
}

/** The fault's title as people read it: the engine's placeholder ("if.down on sw-1") becomes words. */
export function faultTitle(
  f: Pick<Fault, "title" | "condition" | "device">,
  inventory: Inventory,
  lang: Lang,
): string {
  return readableTitle(f, deviceOf(inventory, f.device).name, lang);
}

export function readableTitle(
  f: Pick<Fault, "title" | "condition" | "device">,
  deviceName: string,
  lang: Lang,
): string {
  if (f.title !== `${f.condition} on ${f.device}`) return titleIn(f.title, lang);
  return lang === "zh"
    ? `${deviceName} ${conditionName(f.condition, lang)}`
    : `${deviceName}: ${conditionName(f.condition, lang)}`;
}

const CJK = /[\u3400-\u9fff]/;

/**
 * A title written in both languages, "中文 / English" (as the shipped profiles write them), in the
 * reader's: "语音中继中断 / SIP trunk not answering" is "语音中继中断" in Chinese and "SIP trunk not
 * answering" in English. Any other title (a person's, one language only) is shown as written.
 */
export function titleIn(title: string, lang: Lang): string {
  const m = /^(.+?) \/ (.+)$/.exec(title);
  if (!m) return title;
  const [, zh, en] = m as unknown as [string, string, string];
  if (!CJK.test(zh) || CJK.test(en)) return title;
  return lang === "zh" ? zh : en;
}
