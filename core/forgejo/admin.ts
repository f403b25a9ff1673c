/** Site-admin user management (`/admin/users`); the caller must be a site admin. */
import { isAlreadyExists } from "./error.ts";
import type { ForgejoHttp } from "./http.ts";
import { type User, UserSchema } from "./schema.ts";

export interface CreateUserInput {
  username: string;
  email: string;
  password: string;
  full_name?: string;
  visibility?: "public" | "limited" | "private";
}

/**
 * Create a local user with `must_change_password: false` (the forge's default
 * is true, which locks a bot out of the API). Returns null when the name is
 * taken already (422 "user already exists"), e.g. by a retried create whose
 * first answer was lost.
 */
export async function createUser(http: ForgejoHttp, input: CreateUserInput): Promise<User | null> {
  try {
    const body = { ...input, must_change_password: false, send_notify: false };
    return (await http.request("POST", "/admin/users", { body, schema: UserSchema })).data;
  } catch (error) {
    if (isAlreadyExists(error)) return null;
    throw error;
  }
}

export interface EditUserInput {
  password?: string;
  must_change_password?: boolean;
  admin?: boolean;
  email?: string;
  full_name?: string;
  active?: boolean;
  prohibit_login?: boolean;
}

/** `PATCH /admin/users/{username}`: a partial update. */
export async function editUser(
  http: ForgejoHttp,
  username: string,
  input: EditUserInput,
): Promise<User> {
  const r = await http.request("PATCH", "/admin/users/{username}", {
    params: { username },
    body: { ...input },
    schema: UserSchema,
  });
  return r.data;
}

/** Delete a user; false when there was none. */
export async function deleteUser(
  http: ForgejoHttp,
  username: string,
  options: { purge?: boolean } = {},
): Promise<boolean> {
  const r = await http.request("DELETE", "/admin/users/{username}", {
    params: { username },
    query: { purge: options.purge },
    accept: [404],
  });
  return r.status !== 404;
}
