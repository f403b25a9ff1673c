/** Random passwords for bot identities: 32 URL-safe characters, plain in `.env`. */
export function generatePassword(
  random: (bytes: Uint8Array) => Uint8Array = defaultRandom,
): string {
  const bytes = random(new Uint8Array(24));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function defaultRandom(bytes: Uint8Array): Uint8Array {
  return crypto.getRandomValues(bytes);
}
