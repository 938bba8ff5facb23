/** One line of `watchfloor-agent --once` output: one device's readings and conditions. */
export interface OnceLine {
  device: string;
  up: boolean;
  error?: string;
  /** The profiles applied (profile: auto: the vendor profile and each standard MIB that answered). */
  profiles?: string[];
  readings: { name: string; labels: Record<string, string>; value: number }[];
  readingErrors?: { reading: string; error: string }[];
  conditions: { name: string; labels: Record<string, string>; state: string }[];
}
