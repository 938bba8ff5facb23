/**
 * Evidence files attached to exemption requests (force majeure: a carrier's outage notice, a photo of
 * the flood). Kept in the database with their SHA-256, which the exemption's audit entry also records,
 * so a file swapped later no longer matches the record.
 */
import { createHash } from "node:crypto";
import type { StoreDb } from "./store-db.ts";

export interface EvidenceFile {
  id: number;
  faultId: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: number;
}

export class EvidenceStore {
  constructor(private db: StoreDb) {}

  async add(f: {
    faultId: string;
    name: string;
    type: string;
    body: Buffer;
    by: string;
    at: number;
  }): Promise<EvidenceFile> {
    const sha256 = createHash("sha256").update(f.body).digest("hex");
    const row = await this.db.q
      .insertInto("evidence_files")
      .values({
        fault_id: f.faultId,
        name: f.name,
        type: f.type,
        size: f.body.length,
        sha256,
        body: f.body,
        uploaded_by: f.by,
        uploaded_at: f.at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      faultId: f.faultId,
      name: f.name,
      type: f.type,
      size: f.body.length,
      sha256,
      uploadedBy: f.by,
      uploadedAt: f.at,
    };
  }

  async list(faultId: string): Promise<EvidenceFile[]> {
    return (await this.files().where("fault_id", "=", faultId).orderBy("id").execute()).map(toFile);
  }

  /** The files of each of these faults (one query for a page of faults). */
  async listFor(faultIds: readonly string[]): Promise<Map<string, EvidenceFile[]>> {
    const out = new Map<string, EvidenceFile[]>(faultIds.map((id) => [id, []]));
    if (faultIds.length === 0) return out;
    for (const r of await this.files().where("fault_id", "in", faultIds).orderBy("id").execute())
      out.get(r.fault_id)?.push(toFile(r));
    return out;
  }

  async body(id: number): Promise<{ file: EvidenceFile; body: Buffer } | undefined> {
    const row = await this.files().select("body").where("id", "=", id).executeTakeFirst();
    return row ? { file: toFile(row), body: row.body } : undefined;
  }

  private files() {
    return this.db.q
      .selectFrom("evidence_files")
      .select(["id", "fault_id", "name", "type", "size", "sha256", "uploaded_by", "uploaded_at"]);
  }
}

function toFile(r: {
  id: number;
  fault_id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  uploaded_by: string;
  uploaded_at: number;
}): EvidenceFile {
  return {
    id: r.id,
    faultId: r.fault_id,
    name: r.name,
    type: r.type,
    size: r.size,
    sha256: r.sha256,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at,
  };
}
