import { z } from "zod";

/** A regular expression written in a config file, checked when the file is loaded. */
export const regexText = (flags = "") =>
  z.string().refine((r) => {
    try {
      new RegExp(r, flags);
      return true;
    } catch {
      return false;
    }
  }, "expected a regular expression");
