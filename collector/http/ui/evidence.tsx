/** Exemption requests from the fault page (force majeure): the reason and, later, evidence files. */
import type { Fault } from "../../domain/index.ts";
import { CsrfField } from "./format.tsx";
import type { UiDeps, Viewer } from "./page.ts";

export function evidenceForm(f: Fault, v: Viewer) {
  return (
    <form method="post" action={`/ui/faults/${encodeURIComponent(f.id)}/exemption`} id="exemption-form">
      <CsrfField token={v.csrf} />
      <label>
        {v.w.requestExemption}
        <textarea name="reason" maxlength={2000} required rows="2"></textarea>
      </label>
      <button type="submit" id="request-exemption">
        {v.w.submit}
      </button>
    </form>
  );
}

export function evidenceList(_f: Fault, _v: Viewer, _deps: UiDeps) {
  return null;
}
