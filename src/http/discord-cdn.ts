// Discord's CDN address for an avatar or a server icon hash; anything but a well-formed hash gives null (the dashboard
// then draws initials), so a stored value can never point the page elsewhere.
export function discordCdnUrl(kind: 'avatars' | 'icons', id: string, hash: string | null): string | null {
  if (hash === null || !/^(a_)?[0-9a-f]{32}$/.test(hash) || !/^\d{1,20}$/.test(id)) return null;
  return `https://cdn.discordapp.com/${kind}/${id}/${hash}.png?size=64`;
}
