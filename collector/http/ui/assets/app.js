// Watchfloor web UI: countdowns against the server's clock and the live event stream.
// A static file (the CSP allows no inline script); pages work without it, it only keeps them current.
(() => {
  const body = document.body;
  const zh = body.dataset.lang !== "en";
  const W = zh
    ? { day: "天", hour: "小时", minute: "分", less: "不到 1 分", left: "剩余", over: "已超时", sep: "" }
    : { day: "d", hour: "h", minute: "min", less: "< 1 min", left: "left", over: "breached", sep: " " };
  // Server time minus browser time: every countdown uses the server's clock, never the phone's.
  let offset = 0;
  const syncTo = (serverNow) => {
    const n = Number(serverNow);
    if (Number.isFinite(n) && n > 0) offset = n - Date.now();
  };
  syncTo(body.dataset.serverNow);

  // The same rule as format.tsx duration().
  const duration = (seconds) => {
    const total = Math.floor(Math.abs(seconds) / 60);
    if (total < 1) return W.less;
    const d = Math.floor(total / 1440);
    const h = Math.floor((total % 1440) / 60);
    const m = total % 60;
    const parts = [];
    if (d) parts.push(d + W.sep + W.day);
    if (d || h) parts.push(h + W.sep + W.hour);
    parts.push((d || h ? String(m).padStart(2, "0") : String(m)) + W.sep + W.minute);
    return parts.join(W.sep);
  };

  const tick = () => {
    const now = Date.now() + offset;
    for (const el of document.querySelectorAll(".countdown[data-due]")) {
      const seconds = (Number(el.dataset.due) - now) / 1000;
      const li = el.closest("li");
      if (seconds > 0) {
        const left = duration(seconds);
        el.textContent = zh ? `${W.left} ${left}` : `${left} ${W.left}`;
      } else {
        const over = duration(-seconds);
        el.textContent = zh ? `${W.over} ${over}` : `${W.over} (${over} over)`;
        if (li?.classList.contains("dl-pending")) {
          li.classList.remove("dl-pending");
          li.classList.add("dl-breached");
        }
      }
    }
  };
  setInterval(tick, 1000);

  document.addEventListener("htmx:afterSwap", (e) => {
    const stamp = e.target?.closest?.("[data-server-now]");
    if (stamp) syncTo(stamp.dataset.serverNow);
    tick();
  });

  // What was typed into a form is kept when it is posted: if the session had ended, the post lands on
  // the login page (which says so), and after login the same page gets the text back instead of an
  // empty form. A post that was taken leads to any other page, which drops the copy.
  const DRAFTS = "wf-form-drafts";
  const drafts = () => {
    try {
      return JSON.parse(sessionStorage.getItem(DRAFTS) || "[]");
    } catch {
      return [];
    }
  };
  const keepDrafts = (list) => sessionStorage.setItem(DRAFTS, JSON.stringify(list));
  const typed = (form) =>
    [...form.elements].filter(
      (el) => el.name && el.name !== "_csrf" && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text")),
    );
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.method !== "post" || form.action.endsWith("/ui/login")) return;
    const fields = Object.fromEntries(typed(form).map((el) => [el.name, el.value]).filter(([, v]) => v.trim() !== ""));
    if (Object.keys(fields).length === 0) return;
    keepDrafts([{ page: location.pathname, action: form.getAttribute("action"), fields, state: "sent" }]);
  });
  if (document.getElementById("session-expired")) {
    keepDrafts(drafts().map((d) => ({ ...d, state: "lost" })));
  } else if (!location.pathname.startsWith("/ui/login")) {
    for (const d of drafts()) {
      if (d.state !== "lost" || d.page !== location.pathname) continue;
      const form = [...document.forms].find((f) => f.getAttribute("action") === d.action);
      for (const el of form ? typed(form) : [])
        if (d.fields[el.name] !== undefined && el.value === "") {
          el.value = d.fields[el.name];
          el.classList.add("restored");
        }
    }
    keepDrafts([]);
  }

  const refresh = () => {
    if (window.htmx) window.htmx.trigger(body, "wf:refresh");
  };
  const offline = document.getElementById("offline");
  const live = body.dataset.live;
  if (!live || !window.EventSource) return;
  let opened = false;
  let source;
  const connect = () => {
    source = new EventSource(live);
    source.addEventListener("open", () => {
      if (offline) offline.hidden = true;
      // After a reconnect the record may have moved on while we were away: fetch it again.
      if (opened) refresh();
      opened = true;
    });
    source.addEventListener("clock", (e) => syncTo(e.data));
    source.addEventListener("changed", refresh);
    source.addEventListener("error", () => {
      if (offline) offline.hidden = false;
      // EventSource retries by itself unless the server refused the stream (session ended): then retry slowly.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 30_000);
    });
  };
  connect();
})();
