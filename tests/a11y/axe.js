// axe.js: WCAG 2.2 A/AA checks of the reader pages with axe-core, in Debian's
// Chromium driven by puppeteer-core. The pages carry no JavaScript; it is on
// here for the checker alone (axe runs in the page).
//
//   node axe.js CHROME BASE OUTDIR NAME=PATH...
//
// One browser, every page at 1280x900 and at 390x844. Besides axe, on every
// page: the first Tab lands on a visible skip link whose target is <main>.
// Names ending in "-bydate" must show the date column (phones too);
// names ending in "-hits" must have a heading right before the results list;
// names ending in "-nohits" exactly one status message (role=status or
// aria-live). Prints "ok - ..." / "not ok - ..." lines (the shell test counts
// them) and exits 1 when one failed.
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [chrome, base, outdir, ...pages] = process.argv.slice(2);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Desktop and phone; the dark scheme (its own colours) once, on the desktop.
const VIEWPORTS = [[1280, 900, 'light'], [390, 844, 'light'], [1280, 900, 'dark']];
let failed = 0;

function report(ok, what) {
  if (!ok) failed++;
  console.log((ok ? 'ok - ' : 'not ok - ') + what);
}

async function axeRun(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
    }));
  }, TAGS);
}

async function checkPage(page, name, url, w, h, scheme) {
  const where = `${name} ${w}x${h}${scheme === 'dark' ? ' dark' : ''}`;
  const resp = await page.goto(url, { waitUntil: 'load', timeout: 20000 });
  report(resp !== null, `${where}: loaded (${resp ? resp.status() : 'no answer'})`);
  const res = await axeRun(page);
  report(res.length === 0, `${where}: axe finds no WCAG 2.2 A/AA violation` +
    res.map((v) => `\n#   ${v.id} (${v.impact}): ${v.help}\n#     ${v.nodes.join('\n#     ')}`).join(''));

  // The skip link: first in the tab order, visible when focused, to <main>.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a.tagName !== 'A') return 'first Tab lands on ' + (a ? a.tagName : 'nothing');
    const id = (a.getAttribute('href') || '').replace(/^#/, '');
    const t = id && document.getElementById(id);
    if (!t || t.tagName !== 'MAIN') return 'first link does not lead to <main>: ' + a.getAttribute('href');
    const r = a.getBoundingClientRect();
    if (r.width < 10 || r.height < 10 || r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth)
      return 'skip link not visible when focused';
    return '';
  });
  report(skip === '', `${where}: skip link to the main content${skip ? ': ' + skip : ''}`);

  if (name.endsWith('-hits')) {
    const hd = await page.evaluate(() => {
      // Right before the list, after the form: a heading to jump to.
      const ol = document.querySelector('ol.hits');
      if (!ol) return 'no results list';
      let e = ol.previousElementSibling;
      while (e && !/^H[1-6]$/.test(e.tagName) && e.tagName !== 'FORM') e = e.previousElementSibling;
      return e && e.tagName !== 'FORM' ? '' : 'no heading between the form and the results';
    });
    report(hd === '', `${where}: a heading for the results${hd ? ': ' + hd : ''}`);
  }
  if (name.endsWith('-bydate')) {
    const shown = await page.evaluate(() => {
      const d = document.querySelector('table.ls td.d');
      return d ? getComputedStyle(d).display !== 'none' && d.getBoundingClientRect().width > 0 : false;
    });
    report(shown, `${where}: sorted by date, the dates are shown`);
  }
  if (name.endsWith('-nohits')) {
    const n = await page.evaluate(() => document.querySelectorAll('[role=status],[aria-live]').length);
    report(n === 1, `${where}: exactly one status message (${n})`);
  }
  await page.screenshot({ path: path.join(outdir, `${name}-${w}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: false });
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chrome,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars'],
  });
  try {
    const page = await browser.newPage();
    // axe is injected as a script; the pages' CSP allows none.
    await page.setBypassCSP(true);
    // Control: the checker sees a violation when there is one.
    await page.setContent('<!DOCTYPE html><html lang="en"><head><title>c</title></head><body><main><img src="data:,"><p style="color:#bbb;background:#fff">faint</p></main></body></html>');
    const ctl = (await axeRun(page)).map((v) => v.id).sort().join(' ');
    report(ctl === 'color-contrast image-alt', `control: axe reports a missing alt and low contrast (${ctl})`);
    const t0 = Date.now();
    for (const [w, h, scheme] of VIEWPORTS) {
      await page.setViewport({ width: w, height: h });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      for (const spec of pages) {
        const eq = spec.indexOf('=');
        const name = spec.slice(0, eq);
        try {
          await checkPage(page, name, base + spec.slice(eq + 1), w, h, scheme);
        } catch (e) {
          report(false, `${name} ${w}x${h} ${scheme}: ${e.message}`);
        }
      }
    }
    console.log(`# ${pages.length} pages x ${VIEWPORTS.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log('not ok - axe runner: ' + e.message);
  process.exit(1);
});
