import { parseArgs } from "node:util";
import { Accounts } from "../collector/store/accounts.ts";
import { ROLES, type Role } from "../collector/store/store.ts";
import { openStoreFromConfig } from "./collector-store.ts";

const USAGE = `usage: watchfloor user add NAME --role ROLE --config FILE
  roles: ${ROLES.join(", ")}
  Prints the user's API token once (only its hash is stored); adding an existing name replaces its token.
`;

export async function runUser(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`watchfloor user: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [verb, name, ...extra] = parsed.positionals;
  if (verb !== "add" || !name || extra.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const role = parsed.values.role as Role | undefined;
  if (!role || !ROLES.includes(role)) {
    process.stderr.write(`watchfloor user add: --role must be one of ${ROLES.join(", ")}\n`);
    return 2;
  }
  const store = await openStoreFromConfig(parsed.values.config, "user add");
  if (!store) return 2;
  const token = await store.addUser(name, role, Date.now());
  // A replaced token ends the web sessions opened with the old one.
  await new Accounts(store.db).endSessionsOf(name);
  await store.close();
  process.stdout.write(`${token}\n`);
  process.stderr.write(`user ${name} (${role}) saved; the token above is shown only now.\n`);
  return 0;
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: true, options: { role: { type: "string" }, config: { type: "string" } } });
}
