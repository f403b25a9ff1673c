/** core/identity's IdentityForge over this plugin's HTTP layer, as the admin. */
import type { IdentityForge } from "../../../core/identity/ensure_identity.ts";
import * as api from "./endpoints.ts";
import type { ForgeHttp } from "./http.ts";

/** `admin` carries the admin's credentials; token routes use basic auth as the user. */
export function identityForge(admin: ForgeHttp): IdentityForge {
  const asUser = (user: string, password: string) => ({
    kind: "basic" as const,
    user,
    password,
  });
  return {
    userExists: async (user) => (await api.getUser(admin, user)) !== null,
    createUser: (input) => api.createUser(admin, input),
    updateUser: (user, input) =>
      api.editUser(admin, user, {
        ...(input.password !== undefined ? { password: input.password } : {}),
        must_change_password: false,
      }),
    checkPassword: (user, password) => api.whoami(admin, asUser(user, password)),
    checkToken: (token) => api.whoami(admin, { kind: "token", token }),
    listTokenNames: (user, password) => api.listTokenNames(admin, user, asUser(user, password)),
    deleteToken: (user, password, name) =>
      api.deleteToken(admin, user, name, asUser(user, password)),
    createToken: (user, password, name, scopes) =>
      api.createToken(admin, user, name, scopes, asUser(user, password)),
    collaboratorPermission: (repo, user) => api.collaboratorPermission(admin, repo, user),
    setCollaborator: (repo, user, permission) => api.setCollaborator(admin, repo, user, permission),
  };
}
