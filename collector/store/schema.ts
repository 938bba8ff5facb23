/**
 * The collector's tables as Kysely sees them: one typed schema for both stores (SQLite and PostgreSQL),
 * so every query is written once. Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL,
 * read back as numbers); flags are 0/1 integers in both; JSON is kept as text in both, so what is read
 * back is exactly what was written (the audit chain hashes it).
 */
import type { Generated } from "kysely";

export interface EventsTable {
  id: string;
  agent: string;
  type: string;
  received_at: number;
  body: string;
}

export interface EngineStateTable {
  id: number;
  body: string;
  updated_at: number;
}

export interface FaultsTable {
  /** Insertion order: SQLite's implicit rowid, an identity column of the same name in PostgreSQL. */
  rowid: Generated<number>;
  id: string;
  device: string;
  condition: string;
  class: string;
  status: string;
  opened_at: number;
  body: string;
  archived_at: number | null;
}

export interface AuditTable {
  seq: number;
  at: number;
  actor: string;
  action: string;
  fault_id: string | null;
  window_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface UsersTable {
  name: string;
  role: string;
  token_hash: string;
  created_at: number;
  password_hash: string | null;
  disabled: Generated<number>;
}

export interface AgentsTable {
  id: string;
  last_seen: number;
  interval_seconds: number;
  down: Generated<number>;
}

export interface PageProgressTable {
  fault_id: string;
  step_key: string;
  outcome: string;
  at: number;
}

export interface PageDeliveriesTable {
  id: Generated<number>;
  dedupe_key: string;
  person: string;
  kind: string;
  fault_ids: string;
  message: string;
  channels: string;
  channel_index: number;
  attempts: number;
  status: string;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
  sent_channel: string | null;
  last_error: string | null;
  history: string;
}

export interface PageGroupsTable {
  id: string;
  step_key: string;
  /** JSON array of fault ids. */
  fault_ids: string;
  /** JSON array: each fault's reopen count when paged, in fault_ids' order. */
  episodes: string;
  created_at: number;
}

export interface UiSessionsTable {
  id_hash: string;
  user_name: string;
  csrf_secret: string;
  created_at: number;
  expires_at: number;
}

export interface InspectionRoundsTable {
  id: string;
  key: string;
  template_id: string;
  fired_at: number;
  due_at: number;
  status: string;
  body: string;
}

export interface InspectionCursorsTable {
  template_id: string;
  cursor: number;
}

export interface InspectionOverdueTable {
  round_id: string;
  at: number;
}

export interface InspectionPhotosTable {
  sha256: string;
  mime: string;
  bytes: Buffer;
  uploaded_by: string;
  uploaded_at: number;
}

export interface InspectionRequestsTable {
  client_id: string;
  actor: string;
  at: number;
  status: number;
  response: string;
}

export interface HazardsTable {
  id: string;
  status: string;
  reported_at: number;
  body: string;
}

export interface EngineEventsTable {
  event_id: string;
  key: string;
  device: string;
  condition: string;
  labels: string;
  at: number;
  state: string;
  class_hint: string | null;
  title: string | null;
}

export interface EngineActionsTable {
  seq: number;
  home_key: string;
  body: string;
}

export interface EngineManualTable {
  rowid: Generated<number>;
  fault_id: string;
  body: string;
}

export interface EngineWindowsTable {
  rowid: Generated<number>;
  id: string;
  body: string;
}

export interface EngineAnchorsTable {
  fault_id: string;
  key: string;
  event_id: string;
  at: number;
}

export interface EngineAliasesTable {
  fault_id: string;
  into_id: string;
}

export interface EngineKeyCutsTable {
  key: string;
  device: string;
  condition: string;
  labels: string;
  horizon: number;
  class_hint: string | null;
}

export interface EngineMetaTable {
  name: string;
  value: number;
}

export interface EvidenceFilesTable {
  id: Generated<number>;
  fault_id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  body: Buffer;
  uploaded_by: string;
  uploaded_at: number;
}

export interface Tables {
  events: EventsTable;
  engine_state: EngineStateTable;
  faults: FaultsTable;
  audit: AuditTable;
  audit_head: AuditHeadTable;
  users: UsersTable;
  agents: AgentsTable;
  page_progress: PageProgressTable;
  page_deliveries: PageDeliveriesTable;
  page_groups: PageGroupsTable;
  ui_sessions: UiSessionsTable;
  inspection_rounds: InspectionRoundsTable;
  inspection_cursors: InspectionCursorsTable;
  inspection_overdue: InspectionOverdueTable;
  inspection_photos: InspectionPhotosTable;
  inspection_requests: InspectionRequestsTable;
  hazards: HazardsTable;
  engine_events: EngineEventsTable;
  engine_actions: EngineActionsTable;
  engine_manual: EngineManualTable;
  engine_windows: EngineWindowsTable;
  engine_anchors: EngineAnchorsTable;
  engine_aliases: EngineAliasesTable;
  engine_key_cuts: EngineKeyCutsTable;
  engine_meta: EngineMetaTable;
  evidence_files: EvidenceFilesTable;
  cluster_lease: ClusterLeaseTable;
  cluster_nodes: ClusterNodesTable;
}

export interface ClusterLeaseTable {
  name: string;
  holder_node: string | null;
  holder_instance: string | null;
  epoch: number;
  expires_at: number;
}

export interface ClusterNodesTable {
  node: string;
  instance: string;
  address: string;
  role: string;
  last_heartbeat: number;
  lease_expires_at: number | null;
  epoch: number | null;
}
