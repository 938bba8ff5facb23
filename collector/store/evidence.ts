/**
 * Evidence files attached to exemption requests (force majeure: a carrier's outage notice, a photo of
 * the flood). Kept in the database with their SHA-256, which the exemption's audit entry also records,
 * so a file swapped later no longer matches the record.
 */
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";

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
  constructor(private db: Database.Database) {}

  add(f: { faultId: string; name: string; type: string; body: Buffer; by: string; at: number }): EvidenceFile {
    const sha256 = createHash("sha256").update(f.body).digest("hex");
    const res = this.db
      .prepare(
        "INSERT INTO evidence_files (fault_id, name, type, size, sha256, body, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(f.faultId, f.name, f.type, f.body.length, sha256, f.body, f.by, f.at);
    return { id: Number(res.lastInsertRowid), faultId: f.faultId, name: f.name, type: f.type, size: f.body.length, sha256, uploadedBy: f.by, uploadedAt: f.at };
  }

  list(faultId: string): EvidenceFile[] {
    return (
      this.db
        .prepare("SELECT id, fault_id, name, type, size, sha256, uploaded_by, uploaded_at FROM evidence_files WHERE fault_id = ? ORDER BY id")
        .all(faultId) as Array<Record<string, unknown>>
    ).map((r) => ({
      id: r.id as number,
      faultId: r.fault_id as string,
      name: r.name as string,
      type: r.type as string,
      size: r.size as number,
      sha256: r.sha256 as string,
      uploadedBy: r.uploaded_by as string,
      uploadedAt: r.uploaded_at as number,
    }));
  }

  body(id: number): { file: EvidenceFile; body: Buffer } | undefined {
    const row = this.db.prepare("SELECT fault_id, body FROM evidence_files WHERE id = ?").get(id) as
      | { fault_id: string; body: Buffer }
      | undefined;
    if (!row) return undefined;
    const file = this.list(row.fault_id).find((f) => f.id === id)!;
    return { file, body: row.body };
  }
}
