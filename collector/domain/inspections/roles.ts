/** Who may do what in inspections and hazards (the HTTP layer asks these; tests name the rules). */

export type Role = "engineer" | "facility_manager" | "client_auditor" | "admin";

export interface Actor {
  name: string;
  role: Role;
}

/** Fill a round (claim, check in, answer, photograph, finish): facility managers, engineers, admins. */
export const FILL_ROLES: readonly Role[] = ["facility_manager", "engineer", "admin"];
/** Assign a round to someone, or take it over: facility managers and admins. */
export const ASSIGN_ROLES: readonly Role[] = ["facility_manager", "admin"];

export function mayFill(role: Role): boolean {
  return FILL_ROLES.includes(role);
}

export function mayAssign(role: Role): boolean {
  return ASSIGN_ROLES.includes(role);
}
