/**
 * A forge login as a file name: lower-cased (Forgejo logins are
 * case-insensitive), every byte outside [a-z0-9-] written as `_xx`. The
 * mapping is one-to-one and the result never holds `/`, `.` or `\`, so no
 * name can reach outside the folder it is joined to.
 */
export function pathSafeUser(user: string): string {
  if (user === "") throw new TypeError("Cannot make an empty user name path-safe");
  let out = "";
  for (const byte of new TextEncoder().encode(user.toLowerCase())) {
    const ch = String.fromCharCode(byte);
    out += /[a-z0-9-]/.test(ch) ? ch : `_${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}
