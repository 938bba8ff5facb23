/**
 * The PJLink display the tests talk to. Debian has no PJLink peer, so it is a display written from the
 * PJLink specification (framing, class 1 and 2, MD5 authentication, ERRA on a wrong password); the
 * demo's simulated wall is the same code (demo/simulated-pjlink.ts).
 */
export { type DisplayState, defaultDisplay, type PjlinkDisplay, startPjlinkDisplay } from "../../demo/simulated-pjlink.ts";
