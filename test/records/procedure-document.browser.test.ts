import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentMarkdown } from '../../src/records/markdown-literal-text.ts';
import { renderProcedureDocument } from '../../src/records/procedure-document.ts';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from '../support/chromium.ts';

/**
 * String checks on sanitised HTML only catch the payloads someone thought of. Here a real browser
 * parses the rendered document, runs whatever it would run, and follows every link; each payload
 * tries to set `window.__pwned` and to open a dialog.
 */

const PWN = 'window.__pwned=1;alert(1)';

const HOSTILE_DOC = [
  `<script>${PWN}</script>`,
  `<img src=x onerror="${PWN}">`,
  `<IMG SRC="x" ONERROR="${PWN}">`,
  `<a href="javascript:${PWN}">plain</a>`,
  `<a href="JaVaScRiPt:${PWN}">mixed case</a>`,
  `<a href="jav&#x09;ascript:${PWN}">tab entity</a>`,
  `<a href=" \x01javascript:${PWN}">leading space and control</a>`,
  `<a href="&#106;avascript:${PWN}">entity</a>`,
  `<a href="data:text/html,<script>opener.__pwned=1</script>">data</a>`,
  `<a href="https://example.com" onclick="${PWN}" onmouseover="${PWN}">handlers</a>`,
  `<iframe src="javascript:parent.__pwned=1"></iframe>`,
  `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`,
  `<svg onload="${PWN}"></svg>`,
  `<svg><script>${PWN}</script></svg>`,
  `<style>@import "javascript:${PWN}";</style>`,
  `<form action="javascript:${PWN}"><button>submit</button></form>`,
  `<object data="javascript:${PWN}"></object>`,
  `<embed src="javascript:${PWN}">`,
  `<details open ontoggle="${PWN}"><summary>s</summary></details>`,
  `<input autofocus onfocus="${PWN}">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${PWN}">`,
  `<noscript><p title="</noscript><img src=x onerror=${PWN}>">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${PWN}">`,
  `[markdown link](javascript:${PWN})`,
  `[obfuscated](JaVaScRiPt:${PWN})`,
  `[reference][ref]\n\n[ref]: javascript:${PWN}`,
  `<javascript:${PWN}>`,
  `![data image](data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="${PWN}"/>`).toString('base64')})`,
  '{{ inputs.text }} `{{ inputs.text }}` <div title="{{ inputs.text }}">{{ inputs.text }}</div>',
  '| {{ inputs.text }} |\n|---|\n| {{ inputs.link }} |',
  '[value as target]({{ inputs.url }}) and https://{{ inputs.text }}',
  '```\n{{ inputs.text }}\n```',
];

const HOSTILE_VALUES = {
  inputs: {
    text: `<img src=x onerror="${PWN}"> "><script>${PWN}</script>`,
    link: `[x](javascript:${PWN})`,
    url: `javascript:${PWN}`,
  },
  secretInputNames: new Set<string>(),
};

/** Each payload alone (so that none swallows the next) and then all of them in one document. */
const HOSTILE_HTML = [
  ...HOSTILE_DOC.map((doc) => renderProcedureDocument(doc, HOSTILE_VALUES).html),
  renderProcedureDocument(HOSTILE_DOC.join('\n\n'), HOSTILE_VALUES).html,
].join('\n');

interface Outcome {
  pwned: unknown;
  dialogs: string[];
  url: string;
  /** Attributes that could run script or load a non-http resource; must stay empty. */
  activeAttributes: string[];
}

// In-page code is written as source text: this project's TypeScript has no DOM types, on purpose.

/** Ordinary links would navigate away and take the flag with them; any other scheme is let through. */
const STOP_ORDINARY_NAVIGATION = `document.addEventListener('click', (event) => {
  const link = event.target.closest('a');
  if (link && /^(https?|mailto|about):$/.test(new URL(link.href, 'about:blank').protocol)) event.preventDefault();
}, true)`;

/** Every attribute that could run script, style the page or load a non-http resource. */
const ACTIVE_ATTRIBUTES = `[...document.querySelectorAll('*')].flatMap((element) =>
  [...element.attributes]
    .filter((a) => /^on/i.test(a.name) || a.name === 'style' || (/^(href|src)$/.test(a.name) && !/^(https?:|mailto:|#)/i.test(a.value)))
    .map((a) => '<' + element.localName + ' ' + a.name + '="' + a.value + '">'))`;

/** Loads `html`, clicks every link, waits for anything delayed, and reports what happened. */
async function load(page: Page, html: string): Promise<Outcome> {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // Nothing leaves the machine: image and link requests fail, which is what fires onerror payloads.
  await page.route('**/*', (route) => route.abort());
  await page.setContent(html);
  await page.evaluate(STOP_ORDINARY_NAVIGATION);
  for (const link of await page.locator('a').all()) await link.click({ timeout: 2_000 });
  await page.waitForTimeout(300);
  return {
    pwned: await page.evaluate<unknown>('window.__pwned'),
    dialogs,
    url: page.url(),
    activeAttributes: await page.evaluate<string[]>(ACTIVE_ATTRIBUTES),
  };
}

const missing = !chromiumAvailable();
const skip = missing && !process.env.CI;
const SKIP_REASON = `${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`;
const title = (name: string): string => (skip ? `${name} (skipped: ${SKIP_REASON})` : name);
if (skip) console.warn(`Browser tests of the procedure document skipped: ${SKIP_REASON}`);

describe('procedure document in a real browser', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!missing) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function withPage<T>(run: (page: Page) => Promise<T>): Promise<T> {
    // In CI a missing browser is a failure, not a skip: CI installs it.
    if (browser === undefined) throw new Error(`CI is set but ${SKIP_REASON}`);
    const page = await browser.newPage();
    try {
      return await run(page);
    } finally {
      await page.close();
    }
  }

  it.skipIf(skip)(title('runs no payload of a hostile document or hostile input values, even when every link is clicked'), async () => {
    const outcome = await withPage((page) => load(page, HOSTILE_HTML));
    expect(outcome).toEqual({ pwned: undefined, dialogs: [], url: 'about:blank', activeAttributes: [] });
  });

  it.skipIf(skip)(title('would notice: the same payloads unsanitised do run'), async () => {
    const unsanitised = documentMarkdown.parse(HOSTILE_DOC.join('\n\n'), { async: false });
    const outcome = await withPage((page) => load(page, unsanitised));
    expect(outcome.pwned).toBe(1);
    expect(outcome.dialogs).toContain('1');
  });
});
