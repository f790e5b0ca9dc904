import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Chromium's built-in test camera and microphone, granted without a prompt. */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] as const;

/** Debian's Chromium, headless, with the flags this network needs (no background traffic); Playwright gives it a fresh profile. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * Records the Content-Security-Policy violations a page reports, from before its first script
 * runs: every `securitypolicyviolation` event, and Chromium's console lines about blocked loads
 * (added to `violations` when given).
 */
export async function recordCspViolations(page: Page, violations: string[] = []): Promise<string[]> {
  page.on('console', (message) => {
    if (/Content Security Policy|securitypolicyviolation/.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error(`securitypolicyviolation ${e.violatedDirective} ${e.blockedURI}`));",
  );
  return violations;
}

/** Whether an inline script added to the page ran: it must not under the pages' CSP. */
export async function inlineScriptRuns(page: Page): Promise<boolean> {
  await page.evaluate("(() => { const s = document.createElement('script'); s.textContent = 'window.inlineScriptRan = true'; document.head.append(s); })()");
  return page.evaluate<boolean>('window.inlineScriptRan === true');
}
