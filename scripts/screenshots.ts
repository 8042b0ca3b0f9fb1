// `npm run screenshots`: the demo dashboard in Chromium at a desktop (1400×900) and a phone (390×844) width, in every
// period, written to docs/images/ for the README and the manual. It runs `npm run demo` on a fresh demo database of
// its own (the default 10,000 clips) and Debian's chromium through playwright-core, as the browser tests do.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs/images');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PERIODS = ['day', 'week', 'month', 'all_time'] as const;
const VIEWPORTS = { desktop: { width: 1400, height: 900 }, phone: { width: 390, height: 844 } } as const;
/** The demo's start: building 10,000 clips and aggregating them takes well under this on a small machine. */
const START_TIMEOUT_MS = 180_000;

/** Starts the demo on a free port and resolves to its URL and API token once it says it is serving. */
function startDemo(database: string): Promise<{ url: string; token: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/serve-demo.ts', '--database', database, '--fresh'], {
    cwd: ROOT,
    env: { ...process.env, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the demo did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const url = /Clipscope demo: (\S+)\//.exec(out)?.[1];
      const token = /^ {2}(\S+)$/m.exec(out)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ url, token, stop: () => child.kill('SIGTERM') });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (code ${code}) before serving:\n${out}`));
    });
  });
}

/** Waits until every panel has settled (ready or empty), so a screenshot never shows a loading state. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      // The panels (not the live badge, whose state is the stream's), including ones added later.
      const panels = Array.from(document.querySelectorAll<HTMLElement>('.panel [data-state]')).filter((p) => p.offsetParent !== null);
      return panels.length > 0 && panels.every((p) => p.dataset.state === 'ready' || p.dataset.state === 'empty');
    },
    undefined,
    { timeout: 60_000 },
  );
  // Chart.js draws on the next frame.
  await page.waitForTimeout(300);
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-screenshots-'));
  const demo = await startDemo(path.join(dir, 'demo.db'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const page = await (await browser.newContext({ viewport, deviceScaleFactor: 1 })).newPage();
      await page.goto(`${demo.url}/`);
      await page.evaluate((token) => sessionStorage.setItem('clipscope.token', token), demo.token);
      await page.reload();
      for (const period of PERIODS) {
        await page.click(`#period-buttons button[data-period=${period}]`);
        await settled(page);
        const file = path.join(OUT, `demo-${period.replace('_', '-')}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        process.stdout.write(`${path.relative(ROOT, file)}\n`);
      }
    }
  } finally {
    await browser.close();
    demo.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
