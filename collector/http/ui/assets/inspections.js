// Watchfloor inspections on a phone: answers and photos go into a queue kept in localStorage, each with
// its own client id, and are sent in order; without network they wait and are sent when it returns (a
// resend never doubles: the collector answers a known client id with its first result). Photos are
// resized in the browser before upload; the collector stores them under their sha256.
// A static file (the CSP allows no inline script); every form also works without it.
// A session that ended mid-round keeps the queue: fetch does not follow the redirect to the login page
// (which answers 200 and looked like success), the page says so with a link back here, and the queue
// is sent when the page loads again after login. A refusal's message is kept across the reload.
(() => {
  const body = document.body;
  const zh = body.dataset.lang !== "en";
  const T = zh
    ? {
        queued: "条待发送（离线，联网后自动发送）",
        refused: "服务器拒绝：",
        expired: "登录已过期，请重新登录",
        login: "重新登录",
        kept: "条未发送的记录已保留，登录后自动发送",
        checkinQueued: "已签到（待发送）",
        checkedIn: "已签到",
      }
    : {
        queued: "waiting to be sent (offline; sent when the network returns)",
        refused: "Refused: ",
        expired: "Your session has expired: log in again",
        login: "Log in again",
        kept: "unsent entries are kept and sent after login",
        checkinQueued: "Checked in (waiting to be sent)",
        checkedIn: "Checked in",
      };
  let csrf = "";
  try {
    csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["x-csrf-token"] || "";
  } catch {}
  const offset = Number(body.dataset.serverNow) > 0 ? Number(body.dataset.serverNow) - Date.now() : 0;
  const nowIso = () => new Date(Date.now() + offset).toISOString();
  const newId = () =>
    "c-" + (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));

  const KEY = "wf-inspection-queue";
  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "[]");
    } catch {
      return [];
    }
  };
  const save = (q) => localStorage.setItem(KEY, JSON.stringify(q));
  const status = document.getElementById("queue-status");
  const show = (text) => {
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  };
  const showCount = () => {
    const n = load().length;
    status?.classList.replace("error", "info");
    show(n ? `${n} ${T.queued}` : "");
  };
  const showError = (text) => {
    show(text);
    status?.classList.replace("info", "error");
    status?.setAttribute("role", "alert");
  };
  // The session ended: nothing is sent until the person logs in again and comes back to this page.
  let sessionEnded = false;
  const showExpired = () => {
    if (!status) return;
    const next = location.pathname + location.search;
    status.textContent = `${T.expired}（${load().length} ${T.kept}） `;
    const a = document.createElement("a");
    a.id = "relogin";
    a.href = `/ui/login?next=${encodeURIComponent(next)}${zh ? "" : "&lang=en"}`;
    a.textContent = T.login;
    status.appendChild(a);
    status.classList.replace("info", "error");
    status.hidden = false;
  };
  // A redirect (to the login page) or a 401 means the session is gone, not that the entry was taken.
  const loggedOut = (res) => res.type === "opaqueredirect" || res.status === 401 || (res.status >= 300 && res.status < 400);
  const REFUSED_KEY = "wf-inspection-refused";

  const post = (url, data) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(data),
    });

  const dataUrlToBlob = (dataUrl) => {
    const [head, b64] = dataUrl.split(",");
    const type = /data:([^;]+)/.exec(head)[1];
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type });
  };

  // One entry: an answer / check-in / finish (a JSON post), or a photo (upload, then attach).
  const send = async (e) => {
    if (e.kind === "photo") {
      const up = await fetch("/ui/inspections/photos", {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "content-type": "image/jpeg", "x-csrf-token": csrf },
        body: dataUrlToBlob(e.dataUrl),
      });
      if (!up.ok) return up;
      const { sha256 } = await up.json();
      const attach = e.item && e.itemKind === "photo"
        ? { url: `/ui/inspections/rounds/${e.round}/answers`, data: { stop: e.stop, item: e.item, value: sha256 } }
        : { url: `/ui/inspections/rounds/${e.round}/photos`, data: { stop: e.stop, item: e.item, sha256 } };
      return post(attach.url, { ...attach.data, clientId: e.clientId, at: e.at });
    }
    return post(e.url, e.data);
  };

  // What the collector made of an answer: normal, or abnormal (a fault was opened).
  const marked = async (res, data) => {
    const form = document.querySelector(`form.item[data-stop="${data.stop}"][data-item="${data.item}"]`);
    if (!form) return;
    form.classList.remove("pending");
    try {
      const { round } = await res.json();
      const item = round.stops.find((s) => s.id === data.stop)?.items.find((i) => i.id === data.item);
      const bad = Boolean(item?.answer?.abnormal);
      form.classList.toggle("bad", bad);
      let flag = form.querySelector(".abnormal");
      if (bad && !flag) {
        flag = document.createElement("span");
        flag.className = "abnormal";
        flag.textContent = zh ? " 异常" : " abnormal";
        form.querySelector(".item-title")?.appendChild(flag);
      }
    } catch {}
  };

  let flushing = false;
  let reloadWhenDone = false;
  const flush = async () => {
    if (flushing || sessionEnded) return;
    flushing = true;
    try {
      for (let q = load(); q.length > 0; q = load()) {
        const e = q[0];
        let res;
        try {
          res = await send(e);
        } catch {
          break; // no network: keep the queue, try again when it returns
        }
        if (res.status >= 500) break;
        if (loggedOut(res)) {
          sessionEnded = true;
          showExpired();
          return;
        }
        save(load().filter((x) => x.clientId !== e.clientId));
        if (!res.ok) {
          let msg = String(res.status);
          try {
            msg = (await res.json()).message || msg;
          } catch {}
          showError(T.refused + msg);
          // The page is reloaded to show what the collector holds; the message is shown again after it.
          sessionStorage.setItem(REFUSED_KEY, T.refused + msg);
          // A refused finish changed nothing on the page: no reload, the message stays.
          if (e.kind !== "finish") reloadWhenDone = true;
          else sessionStorage.removeItem(REFUSED_KEY);
        } else {
          reloadWhenDone = reloadWhenDone || e.reload;
          if (e.kind === "answer") await marked(res, e.data);
          const checkin = e.kind === "checkin" && document.querySelector(`#stop-${e.stop} .checkin.pending`);
          if (checkin) {
            checkin.textContent = T.checkedIn;
            checkin.classList.remove("pending");
          }
        }
      }
    } finally {
      flushing = false;
    }
    if (load().length === 0 && reloadWhenDone && navigator.onLine !== false) location.reload();
    else if (!status?.classList.contains("error") || load().length > 0) showCount();
  };

  const enqueue = (entry) => {
    save([...load(), entry]);
    showCount();
    void flush();
  };

  const round = document.querySelector("[data-round]")?.dataset.round;
  if (round) {
    // Answers: the form's fields become one queued JSON post; the item shows what was given at once.
    for (const form of document.querySelectorAll("form.item")) {
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const submitter = ev.submitter;
        const fd = new FormData(form, submitter?.name ? submitter : undefined);
        const value = fd.get("value");
        if (value === null || value === "") return;
        const entry = {
          kind: "answer",
          clientId: newId(),
          url: form.action,
          data: { stop: fd.get("stop"), item: fd.get("item"), value: String(value), clientId: "", at: nowIso() },
        };
        // The live reading this item was pre-filled with: recorded beside what the inspector saved.
        for (const k of ["prefill_device", "prefill_reading", "prefill_value"]) if (fd.get(k)) entry.data[k] = fd.get(k);
        entry.data.clientId = entry.clientId;
        const shown = form.querySelector(".answer");
        const unit = form.querySelector(".unit")?.textContent || "";
        if (shown)
          shown.textContent = submitter?.name === "value" ? ` ${submitter.textContent.trim()}` : ` ${value}${unit ? ` ${unit}` : ""}`;
        form.classList.add("done", "pending");
        enqueue(entry);
      });
    }
    // Check-in by hand: queued like an answer (a basement has no signal); the stop's items, already in
    // the page, open at once so they can be answered before the check-in reaches the collector.
    const checkedIn = (stop) => {
      const section = document.getElementById(`stop-${stop}`);
      if (!section) return;
      const p = section.querySelector(".checkin");
      if (p && !p.classList.contains("ok")) {
        p.textContent = T.checkinQueued;
        p.classList.add("ok", "pending");
      }
      section.querySelector("form.checkin-form")?.remove();
      const items = section.querySelector(".stop-items");
      if (items) items.hidden = false;
    };
    for (const e of load()) if (e.kind === "checkin" && e.round === round) checkedIn(e.stop);
    for (const form of document.querySelectorAll("form.checkin-form")) {
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const clientId = newId();
        const stop = form.closest("section.stop")?.dataset.stop;
        enqueue({ kind: "checkin", clientId, round, stop, url: form.action, data: { clientId, at: nowIso() } });
        checkedIn(stop);
      });
    }
    for (const id of ["finish-form"]) {
      const form = document.getElementById(id);
      form?.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const clientId = newId();
        enqueue({ kind: "finish", clientId, url: form.action, data: { clientId, at: nowIso() }, reload: true });
      });
    }
  }

  // Photos: resized to at most 1600 px on the long side, JPEG; queued as data URLs (survive a reload).
  // Read as a data: URL (the CSP allows data: images, not blob:), drawn smaller on a canvas.
  const readAsDataUrl = (file) =>
    new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  const resize = async (file) => {
    const src = await readAsDataUrl(file);
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, 1600 / Math.max(img.width, img.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.width * scale));
        canvas.height = Math.max(1, Math.round(img.height * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        resolve(canvas.toDataURL("image/jpeg", 0.8));
      };
      img.onerror = () => reject(new Error("not an image"));
      img.src = src;
    });
  };

  const preview = (container, dataUrl) => {
    if (!container) return;
    const img = document.createElement("img");
    img.src = dataUrl;
    img.className = "thumb pending";
    container.appendChild(img);
  };

  for (const input of document.querySelectorAll("input.photo-input")) {
    input.addEventListener("change", async () => {
      const file = input.files?.[0];
      if (!file || !round) return;
      const dataUrl = await resize(file);
      const stop = input.dataset.stop;
      const item = input.dataset.item;
      const form = input.closest("form.item");
      preview(input.closest("section")?.querySelector(".photos"), dataUrl);
      if (form) form.classList.add("done", "pending");
      enqueue({ kind: "photo", clientId: newId(), round, stop, item, itemKind: form?.dataset.kind, dataUrl, at: nowIso() });
      input.value = "";
    });
  }

  // Hazard forms: the photo is uploaded at once and its sha256 put in the form's hidden field.
  for (const input of document.querySelectorAll("input.hazard-photo")) {
    input.addEventListener("change", async () => {
      const file = input.files?.[0];
      if (!file) return;
      const dataUrl = await resize(file);
      const res = await fetch("/ui/inspections/photos", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "image/jpeg", "x-csrf-token": csrf },
        body: dataUrlToBlob(dataUrl),
      });
      if (!res.ok) return;
      const { sha256 } = await res.json();
      const hidden = input.parentElement.querySelector("input[name=photos]");
      hidden.value = hidden.value ? `${hidden.value},${sha256}` : sha256;
      const img = document.createElement("img");
      img.src = dataUrl;
      img.className = "thumb";
      img.dataset.sha256 = sha256;
      input.parentElement.appendChild(img);
      input.value = "";
    });
  }

  window.addEventListener("online", () => void flush());
  // Also retry now and then: the online event does not fire for every kind of outage.
  setInterval(() => {
    if (load().length > 0) void flush();
  }, 5000);
  const refused = sessionStorage.getItem(REFUSED_KEY);
  sessionStorage.removeItem(REFUSED_KEY);
  if (refused) showError(refused);
  else showCount();
  void flush();
})();
