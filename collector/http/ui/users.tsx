/**
 * Users (/ui/users, admin only): list, add (with a password, and a token shown once), disable or
 * enable, rotate the token, change the role, set a password. Disabling, a new role or a new token ends
 * the user's web sessions. An admin cannot disable or demote themselves (someone must stay in charge).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { ROLES, type Role } from "../../store/store.ts";
import { CsrfField, Message, Time } from "./format.tsx";
import { named, ROLE_NAMES } from "./i18n.ts";
import { Layout } from "./layout.tsx";
import { field, onSession, sendHtml, type UiDeps, type UiScope, type Viewer, viewerOf } from "./page.ts";

const ADMIN: readonly Role[] = ["admin"];
const NAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const PASSWORD_MIN = 10;

function RoleSelect(p: { v: Viewer; value?: Role; id?: string }) {
  return (
    <select name="role" id={p.id}>
      {ROLES.map((r) => (
        <option value={r} selected={r === p.value}>
          {named(ROLE_NAMES, p.v.lang, r)}
        </option>
      ))}
    </select>
  );
}

async function usersPage(req: FastifyRequest, reply: FastifyReply, deps: UiDeps, opts: { status?: number; error?: string; token?: { name: string; token: string } } = {}) {
  const v = viewerOf(req);
  const zh = v.lang === "zh";
  const users = await deps.accounts.users();
  const post = (name: string, action: string) => `/ui/users/${encodeURIComponent(name)}/${action}`;
  return sendHtml(
    reply,
    opts.status ?? 200,
    <Layout title={v.w.users} path="/ui/users" lang={v.lang} viewer={v}>
      {opts.error ? <Message kind="error" text={opts.error} /> : null}
      {opts.token ? (
        <section id="new-token" class="token">
          <p>{zh ? `${opts.token.name} 的 API 令牌（只显示这一次，请妥善转交）：` : `API token for ${opts.token.name} (shown only now; hand it over safely):`}</p>
          <p>
            <code>{opts.token.token}</code>
          </p>
        </section>
      ) : null}
      <section>
        <h2>{zh ? "添加用户" : "Add a user"}</h2>
        <form method="post" action="/ui/users" class="stack" id="add-user">
          <CsrfField token={v.csrf} />
          <label>
            {v.w.userName}
            <input type="text" name="name" required pattern="[a-z0-9][a-z0-9._\-]{1,63}" />
          </label>
          <label for="new-role">{zh ? "角色" : "Role"}</label>
          <RoleSelect v={v} id="new-role" />
          <label>
            {`${v.w.password}${zh ? `（至少 ${PASSWORD_MIN} 个字符，可留空只用令牌）` : ` (at least ${PASSWORD_MIN} characters; empty: token only)`}`}
            <input type="password" name="password" autocomplete="new-password" />
          </label>
          <button type="submit" class="primary">
            {zh ? "添加" : "Add"}
          </button>
        </form>
      </section>
      <section id="users">
        <h2>{v.w.users}</h2>
        <div class="cards">
          {users.map((u) => (
            <article class={`card user${u.disabled ? " disabled" : ""}`} id={`user-${u.name}`}>
              <h3>{u.name}</h3>
              <p>
                {`${named(ROLE_NAMES, v.lang, u.role)} · ${u.hasPassword ? (zh ? "已设密码" : "password set") : zh ? "仅令牌" : "token only"} · `}
                <span class="state">{u.disabled ? (zh ? "已停用" : "disabled") : zh ? "启用中" : "active"}</span>
                {" · "}
                <Time at={u.createdAt} tz={deps.policy.timezone} />
              </p>
              <form method="post" action={post(u.name, "role")} class="inline-form">
                <CsrfField token={v.csrf} />
                <RoleSelect v={v} value={u.role} />
                <button type="submit">{zh ? "改角色" : "Change role"}</button>
              </form>
              <form method="post" action={post(u.name, "password")} class="inline-form">
                <CsrfField token={v.csrf} />
                <input type="password" name="password" autocomplete="new-password" placeholder={v.w.password} required />
                <button type="submit">{zh ? "设密码" : "Set password"}</button>
              </form>
              <div class="buttons">
                <form method="post" action={post(u.name, "token")}>
                  <CsrfField token={v.csrf} />
                  <button type="submit">{zh ? "更换令牌" : "Rotate token"}</button>
                </form>
                <form method="post" action={post(u.name, u.disabled ? "enable" : "disable")}>
                  <CsrfField token={v.csrf} />
                  <button type="submit" class={u.disabled ? undefined : "reject"}>
                    {u.disabled ? (zh ? "启用" : "Enable") : zh ? "停用" : "Disable"}
                  </button>
                </form>
              </div>
            </article>
          ))}
        </div>
      </section>
    </Layout>,
  );
}

export async function userPages(scope: UiScope, deps: UiDeps): Promise<void> {
  const now = () => deps.clock.now();
  scope.get("/ui/users", onSession(ADMIN), async (req, reply) => usersPage(req, reply, deps));

  scope.post("/ui/users", onSession(ADMIN), async (req, reply) => {
    const zh = viewerOf(req).lang === "zh";
    const name = field(req.body, "name");
    const role = field(req.body, "role") as Role;
    const password = field(req.body, "password");
    const problem = !NAME.test(name)
      ? zh ? "用户名：小写字母、数字、点、下划线或连字符，2–64 个字符" : "name: lower-case letters, digits, . _ -, 2–64 characters"
      : !ROLES.includes(role)
        ? zh ? "请选择角色" : "choose a role"
        : await deps.accounts.user(name)
          ? zh ? "该用户已存在" : "that user exists"
          : password && password.length < PASSWORD_MIN
            ? zh ? `密码至少 ${PASSWORD_MIN} 个字符` : `a password has at least ${PASSWORD_MIN} characters`
            : undefined;
    if (problem) return usersPage(req, reply, deps, { status: 400, error: problem });
    const token = await deps.store.addUser(name, role, now());
    if (password) await deps.accounts.setPassword(name, password);
    deps.logger.info({ user: name, role, by: viewerOf(req).name }, "user added from the web UI");
    return usersPage(req, reply, deps, { status: 201, token: { name, token } });
  });

  scope.post<{ Params: { name: string; action: string } }>("/ui/users/:name/:action", onSession(ADMIN), async (req, reply) => {
    const v = viewerOf(req);
    const zh = v.lang === "zh";
    const { name, action } = req.params;
    const user = await deps.accounts.user(name);
    if (!user) return usersPage(req, reply, deps, { status: 404, error: zh ? "没有该用户" : "no such user" });
    const self = name === v.name;
    switch (action) {
      case "disable":
      case "enable":
        if (self) return usersPage(req, reply, deps, { status: 409, error: zh ? "不能停用自己" : "you cannot disable yourself" });
        await deps.accounts.setDisabled(name, action === "disable");
        break;
      case "role": {
        const role = field(req.body, "role") as Role;
        if (!ROLES.includes(role)) return usersPage(req, reply, deps, { status: 400, error: v.w.badRequest });
        if (self && role !== "admin")
          return usersPage(req, reply, deps, { status: 409, error: zh ? "不能取消自己的管理员角色" : "you cannot demote yourself" });
        await deps.accounts.setRole(name, role);
        break;
      }
      case "password": {
        const password = field(req.body, "password");
        if (password.length < PASSWORD_MIN)
          return usersPage(req, reply, deps, { status: 400, error: zh ? `密码至少 ${PASSWORD_MIN} 个字符` : `a password has at least ${PASSWORD_MIN} characters` });
        await deps.accounts.setPassword(name, password, self ? v.sessionId : undefined);
        break;
      }
      case "token": {
        const token = await deps.store.addUser(name, user.role, now());
        await deps.accounts.endSessionsOf(name);
        deps.logger.info({ user: name, by: v.name }, "token rotated from the web UI");
        return usersPage(req, reply, deps, { token: { name, token } });
      }
      default:
        return usersPage(req, reply, deps, { status: 404, error: v.w.notFound });
    }
    deps.logger.info({ user: name, action, by: v.name }, "user changed from the web UI");
    return reply.redirect("/ui/users", 303);
  });
}
