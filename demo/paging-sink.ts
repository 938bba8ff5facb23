import type { IncomingMessage, ServerResponse } from "node:http";

/** One page as a robot received it. */
interface Received {
  at: Date;
  robot: string;
  to: string[];
  text: string;
  body: unknown;
}

const ROBOTS: Record<string, { name: string; ok: unknown }> = {
  wecom: { name: "企业微信 WeCom", ok: { errcode: 0, errmsg: "ok" } },
  dingtalk: { name: "钉钉 DingTalk", ok: { errcode: 0, errmsg: "ok" } },
  feishu: { name: "飞书 Feishu", ok: { code: 0, msg: "success", data: {} } },
  webhook: { name: "webhook", ok: { ok: true } },
};

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The fields of the robots' request bodies (collector/paging/README.md, Channels) the page shows. */
interface RobotBody {
  text?: { content?: string; mentioned_mobile_list?: string[] } | string;
  at?: { atMobiles?: string[] };
  content?: { text?: string };
  title?: string;
  person?: { name?: string };
}

/** The text and the people @-mentioned, from each robot's documented request body. */
function readPage(robot: string, body: RobotBody): { text: string; to: string[] } {
  const text = typeof body.text === "object" ? body.text : undefined;
  switch (robot) {
    case "wecom":
      return { text: String(text?.content ?? ""), to: text?.mentioned_mobile_list ?? [] };
    case "dingtalk":
      return { text: String(text?.content ?? ""), to: body.at?.atMobiles ?? [] };
    case "feishu":
      return { text: String(body.content?.text ?? ""), to: [] };
    default:
      return {
        text: typeof body.text === "string" ? body.text : String(body.title ?? ""),
        to: body.person?.name ? [body.person.name] : [],
      };
  }
}

/**
 * The demo's stand-in for the chat robots: POST /robot/{wecom,dingtalk,feishu,webhook} take what the
 * collector would send the real ones and answer as they do; GET /pages shows every page received,
 * newest first, with the acknowledge link clickable (GET /pages.json: the same as JSON).
 */
export class PagingSink {
  readonly received: Received[] = [];

  /** Handles the request if it is the sink's; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://demo");
    const robot = /^\/robot\/(\w+)(?:\/[^?]*)?$/.exec(url.pathname)?.[1];
    if (req.method === "POST" && robot && ROBOTS[robot]) {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        let body: RobotBody = {};
        try {
          body = JSON.parse(raw);
        } catch {
          res
            .writeHead(400, { "content-type": "application/json" })
            .end('{"errcode":40035,"errmsg":"invalid json"}');
          return;
        }
        this.received.unshift({ at: new Date(), robot, ...readPage(robot, body), body });
        this.received.length = Math.min(this.received.length, 200);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ROBOTS[robot]!.ok));
      });
      return true;
    }
    if (req.method === "GET" && url.pathname === "/pages.json") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(`${JSON.stringify(this.received, null, 2)}\n`);
      return true;
    }
    if (req.method === "GET" && url.pathname === "/pages") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(this.page());
      return true;
    }
    return false;
  }

  private page(): string {
    const time = (d: Date) =>
      new Intl.DateTimeFormat("zh-CN", {
        timeZone: "Asia/Shanghai",
        dateStyle: "short",
        timeStyle: "medium",
      }).format(d);
    const linked = (text: string) =>
      esc(text).replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}">${u}</a>`);
    const rows = this.received
      .map(
        (r) =>
          `<article><header><b>${esc(ROBOTS[r.robot]!.name)}</b> · ${esc(time(r.at))}${r.to.length ? ` · @${esc(r.to.join(", "))}` : ""}</header><pre>${linked(r.text)}</pre></article>`,
      )
      .join("\n");
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>演示：值班机器人收到的消息 / Demo paging sink</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;max-width:60em}article{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:.5em 1em}pre{white-space:pre-wrap;font-family:inherit}header{color:#555}</style>
</head><body><h1>值班机器人收到的消息 <small>what the paging robots received</small></h1>
<p>The demo's stand-in for the WeCom / DingTalk / Feishu robots (refreshes every 5 s). Open an acknowledge link
(确认链接) to acknowledge the fault in the paged person's name.</p>
${rows || "<p><i>No page yet. Cut the UPS's mains (POST /ups/mains/off) and wait a few seconds.</i></p>"}
</body></html>`;
  }
}
