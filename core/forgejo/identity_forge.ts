/** core/identity's IdentityForge over this client, acting as the admin. */
import type { IdentityForge } from "../identity/ensure_identity.ts";
import { basicAuth, tokenAuth } from "./auth.ts";
import { createUser, editUser } from "./admin.ts";
import { collaboratorPermission, setCollaborator } from "./collaborators.ts";
import type { ForgejoHttp } from "./http.ts";
import { createToken, deleteToken, listTokenNames } from "./tokens.ts";
import { getUser, whoami } from "./users.ts";

/** `admin` carries the admin's credentials; token routes use basic auth as the user. */
export function identityForge(admin: ForgejoHttp): IdentityForge {
  return {
    userExists: async (user) => (await getUser(admin, user)) !== null,
    createUser: async (input) => {
      await createUser(admin, input);
    },
    updateUser: async (user, input) => {
      await editUser(admin, user, {
        ...(input.password !== undefined ? { password: input.password } : {}),
        must_change_password: false,
      });
    },
    checkPassword: (user, password) => whoami(admin, basicAuth(user, password)),
    checkToken: (token) => whoami(admin, tokenAuth(token)),
    listTokenNames: (user, password) => listTokenNames(admin, user, basicAuth(user, password)),
    deleteToken: async (user, password, name) => {
      await deleteToken(admin, user, name, basicAuth(user, password));
    },
    createToken: async (user, password, name, scopes) =>
      (await createToken(admin, user, { name, scopes }, basicAuth(user, password))).sha1,
    collaboratorPermission: (repo, user) => collaboratorPermission(admin, repo, user),
    setCollaborator: (repo, user, permission) => setCollaborator(admin, repo, user, permission),
  };
}
