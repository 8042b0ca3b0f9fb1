// What every dashboard browser test needs: Debian's Chromium through playwright-core (a test that cannot find it is
// skipped with one line saying how to install it; CI installs it), and a free loopback port for a server whose URL
// must be known before it starts.
import fs from 'node:fs';
import net from 'node:net';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Whether Chromium is installed; when not, says which test is skipped and how to install it. */
export function chromiumFor(test: string): boolean {
  const found = fs.existsSync(CHROMIUM);
  if (!found) console.warn(`${test} skipped: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A free port on 127.0.0.1, so a URL (PUBLIC_URL, the redirect URI Discord checks) is known before the server starts. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
