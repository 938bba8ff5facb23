/**
 * Debian's nginx as a test peer: run in the foreground from a directory of its own (pid file and temp
 * paths there, so no root and no /var), with the test's own http {} contents.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Proc } from "../harness/process.ts";

export const NGINX = "/usr/sbin/nginx";

/** Starts nginx with `http` as the inside of its http {} block (upstreams, servers). */
export function startNginx(dir: string, http: string): Proc {
  writeFileSync(
    join(dir, "nginx.conf"),
    `pid ${dir}/nginx.pid;
error_log stderr;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
${http}
}
`,
  );
  return new Proc(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"]);
}
