/** A small server-room template shared by the inspection domain tests (not loaded by the collector). */
import { templateSchema, type Template, type TemplateInput } from "./template.ts";

export const SERVER_ROOM_INPUT: TemplateInput = {
  id: "server-room-daily",
  title: "机房日巡检",
  titleEn: "Daily server-room round",
  schedule: "0 9 * * *",
  due: "4h",
  stops: [
    {
      id: "cold-aisle",
      title: "冷通道",
      device: "env-1",
      items: [
        {
          id: "inlet-temp",
          kind: "reading",
          title: "进风温度",
          unit: "°C",
          range: { min: 18, max: 27, source: "GB 50174-2017 §5.1.1" },
        },
        { id: "floor-dry", kind: "yesno", title: "地面干燥无凝露", source: "practice" },
        { id: "note", kind: "text", title: "备注" },
      ],
    },
    {
      id: "ups-room",
      title: "UPS 室",
      device: "ups-1",
      items: [
        {
          id: "ups-mode",
          kind: "choice",
          title: "UPS 供电方式",
          options: ["逆变", "旁路", "电池"],
          normal: ["逆变"],
          source: "practice",
          onAbnormal: { condition: "ups.bypass" },
        },
        { id: "panel", kind: "photo", title: "面板照片" },
      ],
    },
  ],
};

export const SERVER_ROOM: Template = templateSchema.parse(SERVER_ROOM_INPUT);
