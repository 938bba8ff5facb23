/**
 * Exemption requests from the fault page (force majeure) with evidence files: images or PDF, at most
 * 5 MB each and 5 per request, the type judged by the file's own first bytes (not the name or the
 * browser's claim), kept with their SHA-256, which the exemption's evidence text in the audit also names.
 */
import type { MultipartFile } from "@fastify/multipart";
import type { Exemption, Fault } from "../../domain/index.ts";
import { type EvidenceFile, EvidenceStore } from "../../store/evidence.ts";
import { CsrfField, Time } from "./format.tsx";
import { FAULT_ACTORS, field, onSession, type UiDeps, type UiScope, type Viewer, viewerOf } from "./page.ts";

export const EVIDENCE_LIMITS = { fileSize: 5 * 1024 * 1024, files: 5, fields: 10, fieldSize: 8 * 1024, parts: 20 };
const TEXT_MAX = 2000;

/** What the bytes are, whatever the file is called. */
export function sniffType(body: Buffer): "image/jpeg" | "image/png" | "application/pdf" | undefined {
  if (body.length >= 3 && body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff) return "image/jpeg";
  if (body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (body.subarray(0, 5).toString("latin1") === "%PDF-") return "application/pdf";
  return undefined;
}

/** An uploaded file as the multipart plugin's onFile leaves it in the body. */
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

/** Reads each file part into the body (keyValues mode); the size limit throws, which is a 413. */
export async function onEvidenceFile(this: unknown, part: MultipartFile & { value?: unknown }): Promise<void> {
  part.value = { filename: part.filename, data: await part.toBuffer() } satisfies UploadedFile;
}

function uploads(body: unknown): UploadedFile[] {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)["files"] : undefined;
  return (Array.isArray(v) ? v : v ? [v] : []).filter(
    (f): f is UploadedFile => !!f && typeof f === "object" && Buffer.isBuffer((f as UploadedFile).data) && (f as UploadedFile).data.length > 0,
  );
}

export function evidenceForm(f: Fault, v: Viewer) {
  return (
    <form
      method="post"
      action={`/ui/faults/${encodeURIComponent(f.id)}/exemption`}
      enctype="multipart/form-data"
      id="exemption-form"
    >
      <CsrfField token={v.csrf} />
      <label>
        {v.w.requestExemption}
        <textarea name="reason" maxlength={TEXT_MAX} required rows="2"></textarea>
      </label>
      <label>
        {`${v.w.evidence}（${v.w.evidenceHint}）`}
        <input type="file" name="files" multiple accept="image/jpeg,image/png,application/pdf" />
      </label>
      <button type="submit" id="request-exemption">
        {v.w.submit}
      </button>
    </form>
  );
}

/** The evidence text and the files, each linked with its hash. */
export function evidenceLinks(ex: Exemption, files: readonly EvidenceFile[]) {
  return (
    <>
      {ex.evidence ? <span class="evidence-text">{ex.evidence}</span> : null}
      <ul class="evidence">
        {files.map((e) => (
          <li>
            <a href={`/ui/evidence/${e.id}`}>{e.name}</a>
            <code class="muted">{` sha256 ${e.sha256.slice(0, 16)}… (${Math.ceil(e.size / 1024)} KiB)`}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The exemption section of the fault page, when there is one. */
export function evidenceList(f: Fault, v: Viewer, deps: UiDeps, files: readonly EvidenceFile[]) {
  const ex = f.exemption;
  if (!ex) return null;
  const zh = v.lang === "zh";
  const status = { requested: zh ? "待甲方审批" : "awaiting the client", approved: zh ? "已批准" : "approved", rejected: zh ? "已驳回" : "rejected" }[ex.status];
  return (
    <section id="exemption">
      <h2>{`${v.w.exemption}: ${status}`}</h2>
      <dl class="pairs">
        <dt>{v.w.reason}</dt>
        <dd>{ex.reason}</dd>
        <dt>{v.w.evidence}</dt>
        <dd>{evidenceLinks(ex, files)}</dd>
        <dt>{zh ? "申请" : "asked"}</dt>
        <dd>
          {`${ex.requestedBy} · `}
          <Time at={ex.requestedAt} tz={deps.policy.timezone} />
        </dd>
      </dl>
    </section>
  );
}

export async function evidencePages(scope: UiScope, deps: UiDeps): Promise<void> {
  const store = new EvidenceStore(deps.store.db);
  const { renderFaultPage } = await import("./fault-page.tsx");

  scope.post<{ Params: { id: string } }>("/ui/faults/:id/exemption", onSession(FAULT_ACTORS), async (req, reply) => {
    const v = viewerOf(req);
    const zh = v.lang === "zh";
    const reason = field(req.body, "reason");
    if (!reason || reason.length > TEXT_MAX)
      return renderFaultPage(req, reply, deps, req.params.id, 400, zh ? "请填写豁免原因（不超过 2000 字）" : "a reason (at most 2000 characters) is required");
    const files = uploads(req.body).map((f) => ({ ...f, type: sniffType(f.data) }));
    const wrong = files.find((f) => !f.type);
    if (wrong)
      return renderFaultPage(req, reply, deps, req.params.id, 415, `${wrong.filename}: ${zh ? "只接受 JPEG、PNG 图片或 PDF" : "only JPEG or PNG images and PDF are accepted"}`);
    const at = deps.clock.now();
    // The files and the request are one transaction (the engine's): a refused request leaves no orphan files.
    try {
      await deps.faults.transaction(async (batch) => {
        const stored: EvidenceFile[] = [];
        for (const f of files)
          stored.push(
            await new EvidenceStore(batch.store.db).add({
              faultId: req.params.id,
              name: f.filename.slice(0, 200),
              type: f.type!,
              body: f.data,
              by: v.name,
              at,
            }),
          );
        const evidence = stored.map((s) => `${s.name} sha256:${s.sha256}`).join("; ");
        const res = await batch.act({ type: "exempt", fault: req.params.id, at, by: v.name, reason, ...(evidence ? { evidence } : {}) });
        if (!res.ok) throw Object.assign(new Error(res.error.message), { domain: res.error });
      });
    } catch (err) {
      const domain = (err as { domain?: { code: string; message: string } }).domain;
      if (!domain) throw err;
      return renderFaultPage(req, reply, deps, req.params.id, domain.code.endsWith("NOT_FOUND") ? 404 : 409, domain.message);
    }
    return reply.redirect(`/ui/faults/${encodeURIComponent(req.params.id)}`, 303);
  });

  scope.get<{ Params: { id: string } }>("/ui/evidence/:id", onSession(), async (req, reply) => {
    const found = /^\d{1,12}$/.test(req.params.id) ? await store.body(Number(req.params.id)) : undefined;
    if (!found) return reply.code(404).type("text/plain; charset=utf-8").send("not found");
    return reply
      .type(found.file.type)
      .header("content-disposition", `attachment; filename="evidence-${found.file.id}${{ "image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf" }[found.file.type] ?? ""}"`)
      .header("x-evidence-sha256", found.file.sha256)
      .send(found.body);
  });
}
