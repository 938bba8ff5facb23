import { describe, expect, it } from "vitest";
import { decodeRegisters, encodeRegisters } from "./codec.ts";
import type { ModbusSource } from "./source.ts";

type Case = [
  string,
  Pick<ModbusSource, "type" | "wordOrder" | "byteOrder"> & { count?: number },
  number[],
  unknown,
];

const big = { wordOrder: "big", byteOrder: "big" } as const;
const cdab = { wordOrder: "little", byteOrder: "big" } as const;
const badc = { wordOrder: "big", byteOrder: "little" } as const;
const dcba = { wordOrder: "little", byteOrder: "little" } as const;

// Expected values worked out by hand from IEEE-754 / two's complement, not from the codec.
const cases: Case[] = [
  ["uint16 max", { type: "uint16", ...big }, [0xffff], 65535],
  ["int16 -1", { type: "int16", ...big }, [0xffff], -1],
  ["int16 min", { type: "int16", ...big }, [0x8000], -32768],
  ["int16 byte-swapped 0x0100 = 1", { type: "int16", ...badc }, [0x0100], 1],
  ["uint32 ABCD", { type: "uint32", ...big }, [0x0001, 0x0002], 65538],
  ["uint32 CDAB", { type: "uint32", ...cdab }, [0x0002, 0x0001], 65538],
  ["uint32 max", { type: "uint32", ...big }, [0xffff, 0xffff], 4294967295],
  ["int32 -2 ABCD", { type: "int32", ...big }, [0xffff, 0xfffe], -2],
  ["int32 -2 CDAB", { type: "int32", ...cdab }, [0xfffe, 0xffff], -2],
  ["float32 23.5 ABCD", { type: "float32", ...big }, [0x41bc, 0x0000], 23.5],
  ["float32 23.5 CDAB", { type: "float32", ...cdab }, [0x0000, 0x41bc], 23.5],
  ["float32 23.5 BADC", { type: "float32", ...badc }, [0xbc41, 0x0000], 23.5],
  ["float32 23.5 DCBA", { type: "float32", ...dcba }, [0x0000, 0xbc41], 23.5],
  ["float32 1.1 keeps 7 digits", { type: "float32", ...big }, [0x3f8c, 0xcccd], 1.1],
  ["float32 -0.5", { type: "float32", ...big }, [0xbf00, 0x0000], -0.5],
  ["float32 NaN", { type: "float32", ...big }, [0x7fc0, 0x0000], Number.NaN],
  ["uint64 2^16", { type: "uint64", ...big }, [0, 0, 1, 0], 65536n],
  [
    "uint64 max stays exact",
    { type: "uint64", ...big },
    [0xffff, 0xffff, 0xffff, 0xffff],
    18446744073709551615n,
  ],
  ["uint64 low word first", { type: "uint64", ...cdab }, [0, 1, 0, 0], 65536n],
  ["int64 -1", { type: "int64", ...big }, [0xffff, 0xffff, 0xffff, 0xffff], -1n],
  ["float64 23.5", { type: "float64", ...big }, [0x4037, 0x8000, 0, 0], 23.5],
  ["float64 23.5 low word first", { type: "float64", ...cdab }, [0, 0, 0x8000, 0x4037], 23.5],
  ["string ABC, NUL padded", { type: "string", ...big }, [0x4142, 0x4300], "ABC"],
  ["string trailing spaces trimmed", { type: "string", ...big }, [0x534d, 0x5420, 0x2020], "SMT"],
  ["string byte-swapped", { type: "string", ...badc }, [0x4241], "AB"],
  ["string word order ignored", { type: "string", ...cdab }, [0x4142, 0x4344], "ABCD"],
  ["string non-printable → space", { type: "string", ...big }, [0x4101, 0x4200], "A B"],
];

describe("decodeRegisters", () => {
  it.each(cases)("%s", (_name, src, words, expected) => {
    expect(decodeRegisters(src, words)).toEqual(expected);
  });
});

describe("encodeRegisters is the inverse", () => {
  it.each(cases.filter(([name]) => !/NaN|trimmed|non-printable|padded/.test(name)))(
    "%s",
    (_name, src, words, expected) => {
      expect(encodeRegisters({ ...src, count: words.length }, expected as number | bigint | string)).toEqual(
        words,
      );
    },
  );
});
